package org.safehub.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.safehub.crypto.CopyOpener;
import org.safehub.crypto.CryptoException;
import org.safehub.crypto.PemKeys;

/**
 * What an agency's system runs to read its Safehub inbox: gets a token (client credentials),
 * fetches the inbox, opens each sealed copy with the agency's private key, verifies the hub's
 * signature against the hub certificate it trusts, and prints each copy as one line of JSON. With
 * {@code --kafka host:port} it reads the agency's delivery topic over Kafka instead ({@link
 * KafkaInbox}).
 */
public final class SafehubClient {

  /**
   * Where to fetch from and with which keys. {@code kafka} (the broker's agencies' listener) null:
   * over HTTPS from {@code hub}.
   */
  public record Options(
      URI hub,
      URI tokenUrl,
      String clientId,
      String clientSecret,
      Path key,
      Path cert,
      Path hubCert,
      String after,
      int limit,
      String kafka,
      String kafkaSecurityProtocol,
      String group,
      String topicPrefix) {

    /** Over HTTPS. */
    public Options(
        URI hub,
        URI tokenUrl,
        String clientId,
        String clientSecret,
        Path key,
        Path cert,
        Path hubCert,
        String after,
        int limit) {
      this(
          hub,
          tokenUrl,
          clientId,
          clientSecret,
          key,
          cert,
          hubCert,
          after,
          limit,
          null,
          "SASL_PLAINTEXT",
          null,
          "safehub.");
    }
  }

  /** One inbox item: opened (document set) or not (error set). */
  public record Item(
      String cursor,
      String messageId,
      String type,
      String sender,
      JsonNode document,
      String signedAt,
      String error) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SafehubClient() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(
          "usage: SafehubClient (--hub URL | --kafka HOST:PORT [--kafka-security-protocol"
              + " SASL_SSL] [--group ID]) --token-url URL --client-id ID --client-secret SECRET"
              + " --key agency.key.pem --cert agency.cert.pem --hub-cert hub.cert.pem [--after"
              + " CURSOR] [--limit N]");
      System.exit(64);
      return;
    }
    List<Item> items = o.kafka() != null ? KafkaInbox.read(o) : fetch(o);
    int failures = 0;
    for (Item i : items) {
      ObjectNode line = MAPPER.createObjectNode();
      line.put("cursor", i.cursor());
      line.put("messageId", i.messageId());
      line.put("type", i.type());
      line.put("sender", i.sender());
      if (i.error() == null) {
        line.put("signedAt", i.signedAt());
        line.set("copy", i.document());
        System.out.println(MAPPER.writeValueAsString(line));
      } else {
        line.put("error", i.error());
        System.err.println(MAPPER.writeValueAsString(line));
        failures++;
      }
    }
    System.exit(failures == 0 ? 0 : 2);
  }

  /** Fetches one page of the inbox and opens every item. */
  public static List<Item> fetch(Options o)
      throws IOException, InterruptedException, CryptoException {
    PrivateKey key = PemKeys.readPrivateKey(o.key());
    X509Certificate cert = PemKeys.readCertificate(o.cert());
    X509Certificate hubCert = PemKeys.readCertificate(o.hubCert());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String token = token(http, o);
    String query =
        "?limit="
            + o.limit()
            + (o.after() == null
                ? ""
                : "&after=" + URLEncoder.encode(o.after(), StandardCharsets.UTF_8));
    HttpResponse<String> resp =
        http.send(
            HttpRequest.newBuilder(o.hub().resolve("/api/v1/inbox" + query))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException(
          "inbox request failed with HTTP " + resp.statusCode() + ": " + resp.body());
    }
    CopyOpener opener = new CopyOpener();
    List<Item> out = new ArrayList<>();
    for (JsonNode i : MAPPER.readTree(resp.body()).path("items")) {
      String cursor = i.path("cursor").asText();
      String id = i.path("messageId").asText();
      String type = i.path("type").asText();
      String sender = i.path("sender").asText();
      if (!"cms".equals(i.path("format").asText())) {
        out.add(
            new Item(
                cursor,
                id,
                type,
                sender,
                null,
                null,
                "not a sealed copy (format " + i.path("format").asText() + "): refused"));
        continue;
      }
      try {
        CopyOpener.Opened opened =
            opener.open(Base64.getDecoder().decode(i.path("copy").asText()), key, cert, hubCert);
        out.add(
            new Item(
                cursor,
                id,
                type,
                sender,
                MAPPER.readTree(opened.content()),
                opened.signingTime().toString(),
                null));
      } catch (CryptoException | IllegalArgumentException e) {
        out.add(new Item(cursor, id, type, sender, null, null, e.getMessage()));
      }
    }
    return out;
  }

  private static String token(HttpClient http, Options o) throws IOException, InterruptedException {
    String form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(o.clientId(), StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(o.clientSecret(), StandardCharsets.UTF_8);
    HttpResponse<String> resp =
        http.send(
            HttpRequest.newBuilder(o.tokenUrl())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException("token request failed with HTTP " + resp.statusCode());
    }
    return MAPPER.readTree(resp.body()).path("access_token").asText();
  }

  static Options parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("bad argument: " + args[i]);
      }
      m.put(args[i].substring(2), args[++i]);
    }
    for (String required :
        List.of("token-url", "client-id", "client-secret", "key", "cert", "hub-cert")) {
      if (!m.containsKey(required)) {
        throw new IllegalArgumentException("missing --" + required);
      }
    }
    if (m.containsKey("hub") == m.containsKey("kafka")) {
      throw new IllegalArgumentException("give either --hub or --kafka");
    }
    return new Options(
        m.containsKey("hub") ? URI.create(m.get("hub")) : null,
        URI.create(m.get("token-url")),
        m.get("client-id"),
        m.get("client-secret"),
        Path.of(m.get("key")),
        Path.of(m.get("cert")),
        Path.of(m.get("hub-cert")),
        m.get("after"),
        Integer.parseInt(m.getOrDefault("limit", "100")),
        m.get("kafka"),
        m.getOrDefault("kafka-security-protocol", "SASL_PLAINTEXT"),
        m.get("group"),
        m.getOrDefault("topic-prefix", "safehub."));
  }
}
