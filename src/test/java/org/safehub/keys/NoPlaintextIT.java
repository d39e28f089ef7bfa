package org.safehub.keys;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.ValidationResult;

/**
 * Writes a canary into every free-form personal field of a message of every type, runs them through
 * the whole pipeline on the real broker, then reads every record of every topic raw: the canary is
 * nowhere, though the recipients' decrypted copies hold it.
 */
@QuarkusTest
class NoPlaintextIT {

  private static final SchemaCatalogue SCHEMAS =
      SchemaCatalogue.load(Path.of("schemas"), TestMessages.MAPPER);

  @Test
  void noTopicHoldsAnyPersonalValueInPlaintext() throws Exception {
    String canary = "Canary" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    List<String[]> published = new ArrayList<>();
    int canaryFields = 0;
    for (String type : TestMessages.TYPES) {
      ObjectNode msg = TestMessages.example(type);
      if (type.equals("marac-action")
          || type.equals("consent-change")
          || type.equals("acknowledgement")) {
        TestMessages.withRecipients(msg, "demo-dvpp", "demo-cs");
      }
      canaryFields += plant(msg, msg.get("payload"), canary);
      ((ObjectNode) msg.get("legalBasis"))
          .put("justification", "Justification " + canary + " for sharing without consent.");
      String sender =
          switch (type) {
            case "assessment-outcome", "attendance", "programme-exit" -> "demo-dvpp";
            case "marac-action" -> "demo-marac";
            case "partner-contact-summary",
                "risk-disclosure",
                "child-protection-alert",
                "marac-referral",
                "consent-change" ->
                "demo-iss";
            default -> "demo-cs";
          };
      given()
          .auth()
          .oauth2(Tokens.forClient(sender))
          .contentType("application/json")
          .body(TestMessages.json(msg))
          .post("/api/v1/messages")
          .then()
          .statusCode(202);
      published.add(new String[] {sender, msg.get("messageId").asText()});
    }
    assertTrue(canaryFields >= 20, "canary planted in " + canaryFields + " fields");
    for (String[] p : published) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> settled(p[0], p[1]));
    }
    // the canary did go through: a recipient's opened copy holds it
    JsonNode item =
        SealingIT.awaitItem("demo-iss", published.get(TestMessages.TYPES.indexOf("attendance"))[1]);
    assertTrue(SealedCopies.open("demo-iss", item).toString().contains(canary));

    byte[] needle = canary.getBytes(StandardCharsets.UTF_8);
    Map<String, Object> cfg = ComponentsResource.endpoints().kafkaClient();
    Set<String> topics;
    try (Admin admin = Admin.create(cfg)) {
      topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
    }
    assertTrue(
        topics.contains("safehub.inbound") && topics.contains("safehub.delivery.demo-iss"),
        topics.toString());
    long scanned = 0;
    Properties props = new Properties();
    props.putAll(ComponentsResource.endpoints().kafkaClient());
    props.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"); // aborted transactions too
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      for (String topic : topics) {
        List<TopicPartition> parts =
            c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
            && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            scanned++;
            String where = topic + "-" + r.partition() + "@" + r.offset();
            assertTrue(
                !contains(r.key(), needle) && !contains(r.value(), needle),
                "canary in plaintext at " + where);
            for (Header h : r.headers()) {
              assertTrue(
                  !contains(h.value(), needle), "canary in header " + h.key() + " at " + where);
            }
          }
        }
      }
    }
    assertTrue(scanned > published.size(), "scanned " + scanned + " records");
  }

  /**
   * Replaces every string leaf that stays schema-valid with a value holding the canary; returns how
   * many.
   */
  private static int plant(ObjectNode message, JsonNode node, String canary) {
    int n = 0;
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isTextual()) {
          JsonNode before = e.getValue();
          ((ObjectNode) node).put(e.getKey(), "X " + canary + " " + e.getKey());
          if (SCHEMAS.validate(message) instanceof ValidationResult.Valid) {
            n++;
          } else {
            ((ObjectNode) node).set(e.getKey(), before);
          }
        } else {
          n += plant(message, e.getValue(), canary);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        JsonNode el = node.get(i);
        if (el.isTextual()) {
          ((com.fasterxml.jackson.databind.node.ArrayNode) node)
              .set(i, TextNode.valueOf("X " + canary + " " + i));
          if (SCHEMAS.validate(message) instanceof ValidationResult.Valid) {
            n++;
          } else {
            ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, el);
          }
        } else {
          n += plant(message, el, canary);
        }
      }
    }
    return n;
  }

  private static boolean settled(String sender, String id) {
    JsonNode st =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient(sender))
                .get("/api/v1/messages/" + id + "/status")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode r : st.get("recipients")) {
      if (r.get("state").asText().equals("pending")) {
        return false;
      }
    }
    return st.get("recipients").size() > 0;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    if (haystack == null) {
      return false;
    }
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
