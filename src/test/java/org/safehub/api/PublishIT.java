package org.safehub.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

@QuarkusTest
class PublishIT {

  private static final String MESSAGES = "/api/v1/messages";

  private static io.restassured.specification.RequestSpecification as(String client) {
    return given().auth().oauth2(Tokens.forClient(client));
  }

  @Test
  void acceptedMessageGetsReceiptAndSameContentResendGetsTheSameReceipt() {
    ObjectNode msg = TestMessages.example("referral");
    String body = TestMessages.json(msg);
    // When
    Response first = as("demo-cs").contentType("application/json").body(body).post(MESSAGES);
    Response again = as("demo-cs").contentType("application/json").body(body).post(MESSAGES);
    // Then
    first
        .then()
        .statusCode(202)
        .body("messageId", equalTo(msg.get("messageId").asText()))
        .body("receivedAt", notNullValue());
    again.then().statusCode(202);
    assertEquals(
        first.jsonPath().getString("receivedAt"), again.jsonPath().getString("receivedAt"));
  }

  @Test
  void readinessReportsTheGroupCommitThreadOnceMessagesFlow() {
    as("demo-cs")
        .contentType("application/json")
        .body(TestMessages.json(TestMessages.example("referral")))
        .post(MESSAGES)
        .then()
        .statusCode(202);
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'group-commit' }.status", equalTo("UP"));
  }

  @Test
  void sameMessageIdWithDifferentContentIsAConflict() {
    ObjectNode msg = TestMessages.example("referral");
    as("demo-cs")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(202);
    msg.put("caseRef", "CASE-OTHER-9999");
    as("demo-cs")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:message-id-conflict"));
  }

  @Test
  void sameMessageIdFromAnotherAgencyIsAConflict() {
    ObjectNode msg = TestMessages.example("risk-disclosure");
    as("demo-cs")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(202);
    as("demo-iss")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(409);
  }

  @Test
  void schemaViolationsAreAllListedWithPointers() {
    ObjectNode msg = TestMessages.example("attendance");
    msg.put("messageId", "not-a-uuid");
    msg.put("priority", "whenever");
    ((ObjectNode) msg.get("payload")).put("programmeWeek", 999);
    as("demo-dvpp")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:schema-violation"))
        .body("violations.pointer", hasItem("/messageId"))
        .body("violations.pointer", hasItem("/priority"))
        .body("violations.pointer", hasItem("/payload/programmeWeek"));
  }

  @Test
  void unknownTypeAndUnknownVersionAre400() {
    ObjectNode msg = TestMessages.example("attendance");
    msg.put("type", "school-notification");
    as("demo-dvpp")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("type", equalTo("urn:safehub:problem:unknown-type"))
        .body("violations.pointer", hasItem("/type"));
    ObjectNode v2 = TestMessages.example("attendance");
    v2.put("schemaVersion", 2);
    as("demo-dvpp")
        .contentType("application/json")
        .body(TestMessages.json(v2))
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("violations.pointer", hasItem("/schemaVersion"));
  }

  @Test
  void sharingWithoutConsentNeedsAJustification() {
    ObjectNode msg = TestMessages.example("attendance");
    ObjectNode basis = msg.putObject("legalBasis");
    basis.put("basis", "public-task");
    basis.put("justification", "short");
    as("demo-dvpp")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("violations.pointer", hasItem("/legalBasis/justification"));
  }

  @Test
  void malformedJsonDuplicateKeysAndDeepNestingAre400ProblemDocuments() {
    as("demo-dvpp")
        .contentType("application/json")
        .body("{\"messageId\": ")
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:malformed-json"));
    as("demo-dvpp")
        .contentType("application/json")
        .body("{\"type\":\"a\",\"type\":\"b\"}")
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("violations[0].keyword", equalTo("duplicate-key"));
    as("demo-dvpp")
        .contentType("application/json")
        .body("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}")
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("type", equalTo("urn:safehub:problem:limit-exceeded"));
    byte[] brokenUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'};
    as("demo-dvpp")
        .contentType("application/json")
        .body(brokenUtf8)
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  void bodyOverTheLimitIs413AndWrongMediaTypeIs415() {
    String big = "{\"pad\":\"" + "x".repeat(300 * 1024) + "\"}";
    as("demo-dvpp")
        .contentType("application/json")
        .body(big.getBytes(StandardCharsets.UTF_8))
        .post(MESSAGES)
        .then()
        .statusCode(413)
        .contentType("application/problem+json");
    as("demo-dvpp")
        .contentType("text/plain")
        .body("hello")
        .post(MESSAGES)
        .then()
        .statusCode(415)
        .contentType("application/problem+json");
  }

  @Test
  void noTokenIs401AndWrongRoleIs403() {
    String body = TestMessages.json(TestMessages.example("referral"));
    given()
        .contentType("application/json")
        .body(body)
        .post(MESSAGES)
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", containsString("Bearer"));
    given()
        .auth()
        .oauth2("not.a.token")
        .contentType("application/json")
        .body(body)
        .post(MESSAGES)
        .then()
        .statusCode(401);
    as("demo-auditor")
        .contentType("application/json")
        .body(body)
        .post(MESSAGES)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void perpetratorProgrammeCannotSendAMaracAction() {
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("marac-action"), "demo-iss");
    as("demo-dvpp")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(403)
        .body("type", equalTo("urn:safehub:problem:not-permitted-to-send"));
  }

  @Test
  void unknownExplicitRecipientIsRefused() {
    ObjectNode msg =
        TestMessages.withRecipients(TestMessages.example("risk-disclosure"), "no-such-agency");
    as("demo-iss")
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post(MESSAGES)
        .then()
        .statusCode(400)
        .body("violations.pointer", hasItem("/recipients/0"));
  }
}
