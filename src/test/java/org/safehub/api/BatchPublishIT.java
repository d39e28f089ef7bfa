package org.safehub.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * {@code POST /api/v1/messages/batch}: each message's own result, in order, with the idempotency,
 * authorisation, routing and audit of a single publish; a batch that is too large, too long,
 * unreadable or unauthenticated is refused whole, before any of its messages costs anything.
 */
@QuarkusTest
class BatchPublishIT {

  private static final String BATCH = "/api/v1/messages/batch";
  private static final String MESSAGES = "/api/v1/messages";

  private static RequestSpecification as(String client) {
    return given().auth().oauth2(Tokens.forClient(client)).contentType("application/json");
  }

  private static String batch(Object... messages) {
    ArrayNode a = TestMessages.MAPPER.createArrayNode();
    for (Object m : messages) {
      a.add(m instanceof String s ? TestMessages.readTree(s) : (JsonNode) m);
    }
    return TestMessages.json(a);
  }

  @Test
  void eachMessageGetsItsOwnResultInOrderAndARefusalRefusesOnlyItsMessage() {
    ObjectNode accepted = TestMessages.example("referral");
    ObjectNode invalid = TestMessages.example("referral");
    ((ObjectNode) invalid).put("priority", "whenever");
    // Children's Services may not send attendance: refused for that message alone
    ObjectNode notPermitted = TestMessages.example("attendance");
    ObjectNode earlier = TestMessages.example("risk-disclosure");
    as("demo-cs").body(TestMessages.json(earlier)).post(MESSAGES).then().statusCode(202);
    String earlierReceivedAt =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-cs"))
            .get(MESSAGES + "/" + earlier.get("messageId").asText() + "/status")
            .jsonPath()
            .getString("receivedAt");
    ObjectNode conflicting = earlier.deepCopy();
    conflicting.put("caseRef", "CASE-OTHER-1234");
    ObjectNode second = TestMessages.example("referral");

    // When
    Response r =
        as("demo-cs")
            .body(batch(accepted, invalid, notPermitted, earlier, conflicting, "[1, 2]", second))
            .post(BATCH);

    // Then
    r.then()
        .statusCode(200)
        .contentType("application/json")
        .body("accepted", equalTo(3))
        .body("refused", equalTo(4));
    JsonNode body = TestMessages.readTree(r.asString());
    int[] expected = {202, 400, 403, 202, 409, 400, 202};
    for (int i = 0; i < expected.length; i++) {
      JsonNode item = body.path("results").get(i);
      assertEquals(i, item.path("index").asInt(), "index of result " + i);
      assertEquals(expected[i], item.path("status").asInt(), "status of message " + i);
      if (expected[i] == 202) {
        assertNotNull(item.get("receivedAt"));
        assertNull(item.get("problem"));
      } else {
        assertEquals(expected[i], item.path("problem").path("status").asInt());
        assertNull(item.get("messageId"), "a refused message is not given a receipt");
      }
    }
    assertEquals(accepted.get("messageId").asText(), body.at("/results/0/messageId").asText());
    assertEquals(
        "urn:safehub:problem:schema-violation", body.at("/results/1/problem/type").asText());
    assertEquals("/priority", body.at("/results/1/problem/violations/0/pointer").asText());
    assertEquals(
        "urn:safehub:problem:not-permitted-to-send", body.at("/results/2/problem/type").asText());
    // the same message again is the same receipt (idempotency per message)
    assertEquals(earlierReceivedAt, body.at("/results/3/receivedAt").asText());
    assertEquals(
        "urn:safehub:problem:message-id-conflict", body.at("/results/4/problem/type").asText());
    // accepted messages are routed like single publishes: their sender sees their recipients
    for (ObjectNode m : List.of(accepted, second)) {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-cs"))
          .get(MESSAGES + "/" + m.get("messageId").asText() + "/status")
          .then()
          .statusCode(200)
          .body("recipients.size()", org.hamcrest.Matchers.greaterThan(0));
    }
    // refused messages were never claimed
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-cs"))
        .get(MESSAGES + "/" + invalid.get("messageId").asText() + "/status")
        .then()
        .statusCode(404);
  }

  @Test
  void everyRefusedMessageOfABatchIsAuditedWithItsPlaceInTheBatch() {
    Instant from = Instant.now();
    ObjectNode invalid = TestMessages.example("referral");
    invalid.put("priority", "whenever");
    ObjectNode notPermitted = TestMessages.example("attendance");
    as("demo2-cs")
        .body(batch(TestMessages.example("referral"), invalid, notPermitted))
        .post(BATCH)
        .then()
        .statusCode(200)
        .body("accepted", equalTo(1));
    Instant to = Instant.now().plusSeconds(1);
    assertEquals(List.of("1"), batchIndexes("publish-rejected", from, to));
    assertEquals(List.of("2"), batchIndexes("forbidden", from, to));
  }

  @Test
  void aBatchOverItsByteLimitIsRefusedWholeAndNoneOfItsMessagesIsClaimed() {
    // Given: more than 4 MiB of valid messages (each padded in its own free-text field)
    ObjectNode first = TestMessages.example("risk-disclosure");
    List<JsonNode> messages = new ArrayList<>();
    messages.add(first);
    int size = TestMessages.json(first).length();
    while (size <= 4 * 1024 * 1024) {
      ObjectNode m = TestMessages.example("referral");
      ((ObjectNode) m.get("legalBasis")).put("justification", "x".repeat(3000));
      messages.add(m);
      size += TestMessages.json(m).length() + 1;
    }
    // When
    Response r = as("demo-cs").body(batch(messages.toArray())).post(BATCH);
    // Then
    r.then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:payload-too-large"));
    statusOf(first, "demo-cs").then().statusCode(404);
  }

  @Test
  void aBatchOfMoreThan500MessagesIsRefusedWholeWithOneAuditEvent() {
    Instant from = Instant.now();
    List<JsonNode> messages = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      messages.add(TestMessages.example("referral"));
    }
    as("demo2-mash")
        .body(batch(messages.toArray()))
        .post(BATCH)
        .then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:too-many-messages"));
    statusOf((ObjectNode) messages.get(0), "demo2-mash").then().statusCode(404);
    // one refusal, one event: not one per message
    assertEquals(1, refusals("publish-rejected", "demo2-mash", from, Instant.now().plusSeconds(1)));
  }

  @Test
  void anUnreadableBatchIsRefusedWholeAndAMalformedMessageInsideIsRefusedAlone() {
    ObjectNode ok = TestMessages.example("referral");
    String good = TestMessages.json(ok);
    as("demo-cs")
        .body("[" + good + ", ")
        .post(BATCH)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:malformed-json"));
    as("demo-cs")
        .body(TestMessages.json(ok))
        .post(BATCH)
        .then()
        .statusCode(400)
        .body("type", equalTo("urn:safehub:problem:malformed-json"));
    statusOf(ok, "demo-cs").then().statusCode(404);
    // a duplicate key inside one message: that message alone is refused
    ObjectNode other = TestMessages.example("referral");
    String duplicateKey = "{\"priority\": \"routine\", " + good.substring(1);
    Response r =
        as("demo-cs").body("[" + duplicateKey + ", " + TestMessages.json(other) + "]").post(BATCH);
    r.then()
        .statusCode(200)
        .body("results[0].status", equalTo(400))
        .body("results[0].problem.violations[0].keyword", equalTo("duplicate-key"))
        .body("results[1].status", equalTo(202));
  }

  @Test
  void aBatchWithoutATokenOrWithoutThePublisherRoleIsRefusedWhole() {
    ObjectNode m = TestMessages.example("referral");
    given()
        .contentType("application/json")
        .body(batch(m))
        .post(BATCH)
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .contentType("application/json")
        .body(batch(m))
        .post(BATCH)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    statusOf(m, "demo-cs").then().statusCode(404);
  }

  private static Response statusOf(ObjectNode m, String client) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .get(MESSAGES + "/" + m.get("messageId").asText() + "/status");
  }

  private static List<JsonNode> events(String action, String agency, Instant from, Instant to) {
    Response r =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .queryParam("action", action)
            .queryParam("agency", agency)
            .queryParam("from", from.toString())
            .queryParam("to", to.toString())
            .queryParam("limit", 1000)
            .get("/api/v1/audit/events");
    r.then().statusCode(200);
    List<JsonNode> out = new ArrayList<>();
    TestMessages.readTree(r.asString()).path("events").forEach(out::add);
    return out;
  }

  private static int refusals(String action, String agency, Instant from, Instant to) {
    return events(action, agency, from, to).size();
  }

  private static List<String> batchIndexes(String action, Instant from, Instant to) {
    return events(action, "demo2-cs", from, to).stream()
        .map(e -> e.path("detail").path("batchIndex").asText("?"))
        .toList();
  }
}
