package org.safehub.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.safehub.client.SafehubClient.Item;
import org.safehub.crypto.CopyOpener;
import org.safehub.crypto.CryptoException;
import org.safehub.crypto.PemKeys;
import org.safehub.kafka.Headers;

/**
 * The client tool's Kafka mode: subscribes to the agency's own delivery topic on the broker's
 * agencies' listener (SASL/OAUTHBEARER with the agency's Keycloak client id and secret), reads
 * every copy committed after its consumer group's last commit (read_committed), opens and verifies
 * each like the HTTPS mode, and commits the offsets it has read: a committed offset is how the hub
 * learns that the agency fetched those copies.
 */
public final class KafkaInbox {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Kafka 4 refuses OAuth URLs not listed in this system property. */
  static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";

  private KafkaInbox() {}

  /**
   * What an agency's Java consumer needs (kafka-clients 4.x): the README shows the same as a
   * properties file.
   */
  public static Map<String, Object> consumerConfig(
      String bootstrap,
      String securityProtocol,
      URI tokenUrl,
      String clientId,
      String clientSecret,
      String groupId) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("security.protocol", securityProtocol);
    c.put("sasl.mechanism", "OAUTHBEARER");
    c.put(
        "sasl.login.callback.handler.class",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
    c.put("sasl.oauthbearer.token.endpoint.url", tokenUrl.toString());
    c.put("sasl.oauthbearer.client.credentials.client.id", clientId);
    c.put("sasl.oauthbearer.client.credentials.client.secret", clientSecret);
    c.put("sasl.oauthbearer.sub.claim.name", "agency");
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
    c.put("group.id", groupId);
    c.put("isolation.level", "read_committed");
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("key.deserializer", StringDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    return c;
  }

  /**
   * Reads the agency's topic from its group's committed offset to the end, opens every copy, and
   * commits what it read.
   */
  public static List<Item> read(SafehubClient.Options o) throws IOException, CryptoException {
    allowUrl(o.tokenUrl().toString());
    PrivateKey key = PemKeys.readPrivateKey(o.key());
    X509Certificate cert = PemKeys.readCertificate(o.cert());
    X509Certificate hubCert = PemKeys.readCertificate(o.hubCert());
    String group = o.group() != null ? o.group() : o.clientId() + ".safehub-client";
    TopicPartition tp = new TopicPartition(o.topicPrefix() + "delivery." + o.clientId(), 0);
    List<Item> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig(
                o.kafka(),
                o.kafkaSecurityProtocol(),
                o.tokenUrl(),
                o.clientId(),
                o.clientSecret(),
                group))) {
      consumer.assign(List.of(tp));
      OffsetAndMetadata committed = consumer.committed(Set.of(tp), Duration.ofSeconds(30)).get(tp);
      if (committed == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, committed.offset());
      }
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      CopyOpener opener = new CopyOpener();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumer.position(tp, Duration.ofSeconds(30)) < end
          && out.size() < o.limit()
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(open(opener, r, key, cert, hubCert));
        }
      }
      // the offset after the last copy read: the hub counts every copy before it as fetched
      consumer.commitSync(
          Map.of(tp, new OffsetAndMetadata(consumer.position(tp, Duration.ofSeconds(30)))));
    }
    return out;
  }

  private static Item open(
      CopyOpener opener,
      ConsumerRecord<String, byte[]> r,
      PrivateKey key,
      X509Certificate cert,
      X509Certificate hubCert) {
    String cursor = Long.toString(r.offset());
    String id = header(r, Headers.MESSAGE_ID);
    String type = header(r, Headers.TYPE);
    String sender = header(r, Headers.SENDER);
    String format = header(r, Headers.FORMAT);
    if (!"cms".equals(format)) {
      return new Item(
          cursor, id, type, sender, null, null, "not a sealed copy (format " + format + ")");
    }
    try {
      CopyOpener.Opened opened = opener.open(r.value(), key, cert, hubCert);
      return new Item(
          cursor,
          id,
          type,
          sender,
          MAPPER.readTree(opened.content()),
          opened.signingTime().toString(),
          null);
    } catch (CryptoException | IOException | IllegalArgumentException e) {
      return new Item(cursor, id, type, sender, null, null, e.getMessage());
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Adds {@code url} to the OAuth URLs Kafka may call from this JVM. */
  static synchronized void allowUrl(String url) {
    Set<String> allowed = new LinkedHashSet<>();
    for (String u : System.getProperty(ALLOWED_URLS, "").split(",")) {
      if (!u.isBlank()) {
        allowed.add(u.trim());
      }
    }
    allowed.add(url);
    System.setProperty(ALLOWED_URLS, String.join(",", allowed));
  }
}
