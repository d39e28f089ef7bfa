package org.safehub.agencies;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.client.KafkaInbox;
import org.safehub.client.SafehubClient;
import org.safehub.devstack.DevStack;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.FixedTokenLogin;
import org.safehub.testsupport.ForgedTokens;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.ShortLivedTokens;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Agencies subscribe over Kafka itself, on the broker's OAUTHBEARER listener, with their own
 * Keycloak identity; the hub's ACLs confine each to its own delivery topic and consumer groups.
 */
@QuarkusTest
class KafkaSubscriptionIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static DevStack.Endpoints endpoints() {
    return ComponentsResource.endpoints();
  }

  private static URI tokenUrl() {
    return URI.create(endpoints().issuer() + "/protocol/openid-connect/token");
  }

  /** An agency's consumer as the README configures it (its client id and secret). */
  private static KafkaConsumer<String, byte[]> consumer(String agency, String group) {
    Map<String, Object> c =
        new HashMap<>(
            KafkaInbox.consumerConfig(
                endpoints().kafkaAgencyBootstrap(),
                "SASL_PLAINTEXT",
                tokenUrl(),
                agency,
                agency + "-demo-secret",
                group));
    c.put("default.api.timeout.ms", 15000);
    return new KafkaConsumer<>(c);
  }

  private static KafkaProducer<String, byte[]> producer(String agency) {
    Map<String, Object> c =
        new HashMap<>(
            KafkaInbox.consumerConfig(
                endpoints().kafkaAgencyBootstrap(),
                "SASL_PLAINTEXT",
                tokenUrl(),
                agency,
                agency + "-demo-secret",
                "unused"));
    c.keySet()
        .removeIf(
            k ->
                k.startsWith("group.")
                    || k.startsWith("isolation.")
                    || k.startsWith("enable.auto")
                    || k.startsWith("auto.")
                    || k.endsWith(".deserializer"));
    c.put("key.serializer", StringSerializer.class.getName());
    c.put("value.serializer", ByteArraySerializer.class.getName());
    c.put("max.block.ms", 15000);
    c.put("delivery.timeout.ms", 15000);
    c.put("request.timeout.ms", 10000);
    return new KafkaProducer<>(c);
  }

  private static String publishAttendanceTo(String recipient) {
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), recipient);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static JsonNode open(String agency, ConsumerRecord<String, byte[]> r) {
    ObjectNode item = TestMessages.MAPPER.createObjectNode();
    item.put("format", header(r, "safehub-format"));
    item.put("copy", Base64.getEncoder().encodeToString(r.value()));
    return SealedCopies.open(agency, item);
  }

  private static void setStatus(String agency, String change) {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .post("/api/v1/admin/agencies/" + agency + "/" + change)
        .then()
        .statusCode(200);
  }

  /** Polls until the consumer is refused with {@code refusal}, or fails after a while. */
  private static Throwable pollUntilRefused(KafkaConsumer<String, byte[]> c) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        c.poll(Duration.ofMillis(500));
      } catch (RuntimeException e) {
        return e;
      }
    }
    return fail("the consumer was not refused within " + WAIT);
  }

  @Test
  void anAgencyConsumesItsOwnTopicWithOauthbearerAndOpensEveryCopy() {
    String topic = "safehub.delivery.demo-iss";
    TopicPartition tp = new TopicPartition(topic, 0);
    String group = "demo-iss.kafka-it-" + UUID.randomUUID();
    Instant startedAt = Instant.now().minusSeconds(1);
    try (KafkaConsumer<String, byte[]> c = consumer("demo-iss", group)) {
      // Given partner support's consumer, authenticated with its Keycloak client, at the end of
      // its topic
      c.assign(List.of(tp));
      c.seekToEnd(List.of(tp));
      long start = c.position(tp);
      // When three attendance records are published to it
      Set<String> published = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        published.add(publishAttendanceTo("demo-iss"));
      }
      // Then it reads each, read_committed, and opens and verifies every copy it reads
      Set<String> seen = new HashSet<>();
      List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
      Awaitility.await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                  read.add(r);
                  seen.add(header(r, "safehub-message-id"));
                }
                return seen.containsAll(published);
              });
      assertTrue(read.get(0).offset() >= start);
      for (ConsumerRecord<String, byte[]> r : read) {
        assertEquals("cms", header(r, "safehub-format"));
        JsonNode copy = open("demo-iss", r);
        assertEquals(
            header(r, "safehub-message-id"), copy.path("messageId").asText(), copy::toString);
      }
      // and commits its offsets in a group of its own
      long next = read.get(read.size() - 1).offset() + 1;
      c.commitSync(Map.of(tp, new OffsetAndMetadata(next)));
      assertEquals(next, c.committed(Set.of(tp)).get(tp).offset());
      // Then the hub counts what it committed past as fetched: each copy's fetch is audited, as a
      // fetch from the inbox is (and its sender sent a fetch-notice)
      Awaitility.await()
          .atMost(WAIT)
          .until(() -> fetchedBy("demo-iss", startedAt).containsAll(published));
    }
  }

  /** Message ids whose fetch by {@code agency} the audit log recorded since {@code from}. */
  private static Set<String> fetchedBy(String agency, Instant from) {
    JsonNode page =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-auditor"))
                .queryParam("agency", agency)
                .queryParam("action", "fetched")
                .queryParam("from", from.toString())
                .queryParam("limit", 1000)
                .get("/api/v1/audit/events")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    Set<String> ids = new HashSet<>();
    page.path("events").forEach(e -> ids.add(e.path("messageId").asText()));
    return ids;
  }

  @Test
  void theClientToolReadsTheAgencysTopicOverKafkaAndOpensEachCopy() throws Exception {
    // Given a copy for Children's Services
    String id = publishAttendanceTo("demo-cs");
    SafehubClient.Options options =
        new SafehubClient.Options(
            null,
            tokenUrl(),
            "demo-cs",
            "demo-cs-demo-secret",
            SealedCopies.agencyKey("demo-cs"),
            SealedCopies.agencyCert("demo-cs"),
            SealedCopies.hubCert(),
            null,
            10_000,
            endpoints().kafkaAgencyBootstrap(),
            "SASL_PLAINTEXT",
            "demo-cs.client-" + UUID.randomUUID(),
            "safehub.");
    // When the client tool reads the topic in Kafka mode (until it has the copy)
    List<SafehubClient.Item> items = new ArrayList<>();
    Awaitility.await()
        .atMost(WAIT)
        .until(
            () -> {
              items.addAll(KafkaInbox.read(options));
              return items.stream().anyMatch(i -> id.equals(i.messageId()));
            });
    // Then the copy is opened and its hub signature verified
    SafehubClient.Item item =
        items.stream().filter(i -> id.equals(i.messageId())).findFirst().orElseThrow();
    assertNull(item.error(), item::error);
    assertEquals(id, item.document().path("messageId").asText());
    assertNotNull(item.signedAt());
  }

  @Test
  void anAgencyIsRefusedEveryOtherTopicItsOwnGroupsOnlyAndAnyWrite() {
    // Given partner support's own credentials
    for (String other :
        List.of(
            "safehub.delivery.demo-cs",
            "safehub.inbound",
            "safehub.audit",
            "safehub.dead-letter",
            "safehub.escalation-relay")) {
      // When it reads another agency's topic or one of the hub's
      try (KafkaConsumer<String, byte[]> c = consumer("demo-iss", "demo-iss.kafka-it")) {
        TopicPartition tp = new TopicPartition(other, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        // Then it is refused
        assertInstanceOf(TopicAuthorizationException.class, pollUntilRefused(c), other);
      }
    }
    // When it uses a consumer group that is not its own
    try (KafkaConsumer<String, byte[]> c = consumer("demo-iss", "demo-cs.borrowed")) {
      TopicPartition tp = new TopicPartition("safehub.delivery.demo-iss", 0);
      c.assign(List.of(tp));
      // Then it is refused
      assertThrows(GroupAuthorizationException.class, () -> c.committed(Set.of(tp)));
    }
    // When it writes to its own or another agency's delivery topic
    try (KafkaProducer<String, byte[]> p = producer("demo-iss")) {
      for (String topic : List.of("safehub.delivery.demo-iss", "safehub.delivery.demo-cs")) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    p.send(new ProducerRecord<>(topic, "k", new byte[] {1}))
                        .get(30, TimeUnit.SECONDS));
        // Then it is refused
        assertInstanceOf(AuthorizationException.class, e.getCause(), topic);
      }
    }
  }

  /** Whether the broker's agencies' listener accepts {@code jwt} (a metadata request succeeds). */
  private static boolean authenticates(String jwt) {
    return authenticates(jwt, "demo-iss");
  }

  /** As {@link #authenticates(String)}, asking for {@code agency}'s own topic. */
  private static boolean authenticates(String jwt, String agency) {
    Map<String, Object> c =
        new HashMap<>(FixedTokenLogin.config(endpoints().kafkaAgencyBootstrap(), jwt));
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    c.put("default.api.timeout.ms", 15000);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition("safehub.delivery." + agency, 0);
      consumer.endOffsets(List.of(tp));
      return true;
    } catch (AuthenticationException e) {
      return false;
    } catch (AuthorizationException e) {
      return true; // authenticated, as an agency with no right on partner support's topic
    }
  }

  @Test
  void aForgedUnsignedOrOtherAudienceTokenFailsAuthentication() {
    String issuer = endpoints().issuer();
    long now = Instant.now().getEpochSecond();
    ObjectNode claims = ForgedTokens.agencyClaims(issuer, "demo-iss", now, new Random(14));
    claims.put("aud", "safehub-kafka");
    ObjectNode header = ForgedTokens.header("RS256");
    header.put("kid", ForgedTokens.realmKid(issuer));
    // Given partner support's genuine token, which the listener accepts
    String genuine = Tokens.fetch(issuer, "demo-iss");
    assertTrue(authenticates(genuine));
    // When a token signed by a key the test made up, under the realm's key id, is presented
    assertFalse(authenticates(new ForgedTokens(14).rs256(header, claims)), "forged");
    // or the same claims unsigned
    assertFalse(
        authenticates(ForgedTokens.unsigned(ForgedTokens.header("none"), claims)), "unsigned");
    // or the genuine token with its payload altered (the agency claim changed)
    ObjectNode altered = ForgedTokens.payloadOf(genuine);
    altered.put("agency", "demo-cs");
    String tampered =
        ForgedTokens.b64(ForgedTokens.headerOf(genuine))
            + "."
            + ForgedTokens.b64(altered)
            + "."
            + ForgedTokens.signatureOf(genuine);
    assertFalse(authenticates(tampered), "tampered");
    // or a genuine token of the realm whose audience is the hub's HTTP API only
    String auditor = Tokens.fetch(issuer, "demo-auditor");
    assertFalse(Tokens.payload(auditor).path("aud").toString().contains("safehub-kafka"));
    assertFalse(authenticates(auditor), "other audience");
    // Then authentication fails for each (asserted above)
  }

  @Test
  void anExpiredTokenFailsAuthentication() {
    // Given a genuine token of an agency that expires within a second
    String token = ShortLivedTokens.oneSecond("demo2-marac");
    long exp = Tokens.payload(token).path("exp").asLong();
    assertTrue(exp - Tokens.payload(token).path("iat").asLong() <= 2);
    // and the client's lifespan back as it was
    String next = Tokens.fetch(endpoints().issuer(), "demo2-marac");
    assertTrue(
        Tokens.payload(next).path("exp").asLong() - Tokens.payload(next).path("iat").asLong() > 60);
    // (the same client's fresh token is accepted)
    assertTrue(authenticates(next, "demo2-marac"));
    // When it is presented once it has expired (the broker allows 5 s of clock skew; until then a
    // connection may hang rather than fail)
    // Then authentication fails
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptionsInstanceOf(TimeoutException.class)
        .until(() -> !authenticates(token, "demo2-marac"));
    assertTrue(Instant.now().getEpochSecond() > exp);
  }

  @Test
  void aSuspendedAgencysRunningConsumerIsCutOffAndResumesAfterReinstatement() {
    TopicPartition tp = new TopicPartition("safehub.delivery.demo-iss", 0);
    try (KafkaConsumer<String, byte[]> c = consumer("demo-iss", "demo-iss.suspension-it")) {
      // Given partner support's consumer reading its copies
      c.assign(List.of(tp));
      c.seekToEnd(List.of(tp));
      c.position(tp);
      String before = publishAttendanceTo("demo-iss");
      awaitCopy(c, before);
      Instant suspendedAt = Instant.now().minusSeconds(1);
      // When the operator suspends the agency
      setStatus("demo-iss", "suspend");
      try {
        // Then its running consumer is refused
        assertInstanceOf(TopicAuthorizationException.class, pollUntilRefused(c));
        // and the ACL change is audited
        JsonNode events =
            TestMessages.readTree(
                given()
                    .auth()
                    .oauth2(Tokens.forClient("demo-auditor"))
                    .queryParam("action", "kafka-acl-changed")
                    .queryParam("from", suspendedAt.toString())
                    .queryParam("limit", 500)
                    .get("/api/v1/audit/events")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
        List<String> revoked = new ArrayList<>();
        events
            .path("events")
            .forEach(
                e -> {
                  if ("demo-iss".equals(e.path("recipient").asText())
                      && "revoked".equals(e.path("reason").asText())) {
                    revoked.add(e.path("detail").path("resource").asText());
                  }
                });
        assertTrue(revoked.contains("safehub.delivery.demo-iss"), events::toString);
        assertTrue(revoked.contains("demo-iss."), events::toString);
      } finally {
        // When it is reinstated
        setStatus("demo-iss", "reinstate");
      }
      // Then the same consumer reads again
      String after = publishAttendanceTo("demo-iss");
      awaitCopy(c, after);
    }
  }

  private static void awaitCopy(KafkaConsumer<String, byte[]> c, String messageId) {
    Set<String> seen = new HashSet<>();
    Awaitility.await()
        .atMost(WAIT)
        .ignoreExceptionsInstanceOf(TopicAuthorizationException.class)
        .until(
            () -> {
              c.poll(Duration.ofMillis(500))
                  .forEach(r -> seen.add(header(r, "safehub-message-id")));
              return seen.contains(messageId);
            });
  }
}
