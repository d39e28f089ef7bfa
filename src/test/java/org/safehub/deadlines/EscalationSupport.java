package org.safehub.deadlines;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/** What the escalation tests read: status, audit rows, the hub's notices on the delivery topics. */
final class EscalationSupport {

  private EscalationSupport() {}

  static String publish(String sender, ObjectNode msg) {
    given()
        .auth()
        .oauth2(Tokens.forClient(sender))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  static void ack(String agency, String id) {
    given()
        .auth()
        .oauth2(Tokens.forClient(agency))
        .post("/api/v1/inbox/" + id + "/ack")
        .then()
        .statusCode(200);
  }

  static JsonPath status(String sender, String id) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(sender))
        .get("/api/v1/messages/" + id + "/status")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  static Map<String, String> states(JsonPath st) {
    Map<String, String> out = new HashMap<>();
    for (Map<String, Object> r : st.<Map<String, Object>>getList("recipients")) {
      out.put((String) r.get("agency"), (String) r.get("state"));
    }
    return out;
  }

  static Map<String, Object> recipient(JsonPath st, String agency) {
    for (Map<String, Object> r : st.<Map<String, Object>>getList("recipients")) {
      if (agency.equals(r.get("agency"))) {
        return r;
      }
    }
    throw new AssertionError("no recipient " + agency);
  }

  /** Audit events of {@code action} about message {@code id} naming {@code recipient}. */
  static long events(DataSource ds, String action, String id, String recipient)
      throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from audit_event where action = ? and message_id = ? and recipient = ?")) {
      ps.setString(1, action);
      ps.setObject(2, UUID.fromString(id));
      ps.setString(3, recipient);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The hub's notices of {@code kind} about message {@code id} on {@code agency}'s topic. */
  static List<ConsumerRecord<String, byte[]>> notices(String agency, String kind, String id) {
    return DeliveryTopics.readAll(DeliveryTopics.deliveryTopic(agency)).stream()
        .filter(r -> id.equals(DeliveryTopics.header(r, "safehub-message-id")))
        .filter(r -> kind.equals(DeliveryTopics.header(r, "safehub-type")))
        .filter(r -> "safehub".equals(DeliveryTopics.header(r, "safehub-sender")))
        .toList();
  }

  /** A notice opened as its recipient would: its own key, the hub's certificate. */
  static JsonNode open(String agency, ConsumerRecord<String, byte[]> r) {
    ObjectNode item = TestMessages.MAPPER.createObjectNode();
    item.put("format", DeliveryTopics.header(r, "safehub-format"));
    item.put("copy", Base64.getEncoder().encodeToString(r.value()));
    return SealedCopies.open(agency, item);
  }
}
