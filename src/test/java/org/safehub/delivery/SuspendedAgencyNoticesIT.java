package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The hub's own notices are copies like any other: a suspended agency gets none. A withheld notice
 * is audited and not replayed when the agency is reinstated (it would otherwise learn, after the
 * fact, what happened while it was cut off; the auditors' record lists what it missed).
 */
@QuarkusTest
class SuspendedAgencyNoticesIT {

  private static String publish(String client, ObjectNode msg) {
    given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  private static void setStatus(String agency, String change) {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .post("/api/v1/admin/agencies/" + agency + "/" + change)
        .then()
        .statusCode(200);
  }

  private static String state(String sender, String id, String recipient) {
    var st =
        given()
            .auth()
            .oauth2(Tokens.forClient(sender))
            .get("/api/v1/messages/" + id + "/status")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    int i = st.getList("recipients.agency").indexOf(recipient);
    return i < 0 ? "" : st.getString("recipients[" + i + "].state");
  }

  /**
   * The caller's inbox item for {@code messageId} of {@code type}, paging from the start (this
   * fetches), or null.
   */
  private static JsonNode copyIn(String client, String messageId, String type) {
    String cursor = null;
    while (true) {
      var req = given().auth().oauth2(Tokens.forClient(client)).queryParam("limit", 500);
      if (cursor != null) {
        req.queryParam("after", cursor);
      }
      JsonNode body =
          TestMessages.readTree(
              req.get("/api/v1/inbox").then().statusCode(200).extract().asString());
      if (body.get("items").isEmpty()) {
        return null;
      }
      for (JsonNode item : body.get("items")) {
        if (messageId.equals(item.get("messageId").asText())
            && type.equals(item.get("type").asText())) {
          return item;
        }
      }
      cursor = body.get("nextCursor").asText();
    }
  }

  /**
   * The audit event of {@code action} about {@code messageId} for {@code agency} since {@code
   * from}, or null.
   */
  private static JsonNode auditEvent(String agency, String action, Instant from, String messageId) {
    JsonNode page =
        TestMessages.readTree(
            given()
                .auth()
                .oauth2(Tokens.forClient("demo-auditor"))
                .queryParam("agency", agency)
                .queryParam("action", action)
                .queryParam("from", from.toString())
                .queryParam("limit", 1000)
                .get("/api/v1/audit/events")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    for (JsonNode e : page.get("events")) {
      if (messageId.equals(e.path("messageId").asText())
          && agency.equals(e.path("recipient").asText(e.path("actorAgency").asText()))) {
        return e;
      }
    }
    return null;
  }

  @Test
  void fetchNoticeToASuspendedSenderIsWithheldAuditedAndNotReplayed() {
    // Given an attendance record delivered to partner support, then its sender suspended
    Instant start = Instant.now().minusSeconds(1);
    String id =
        publish(
            "demo-dvpp",
            TestMessages.withRecipients(TestMessages.example("attendance"), "demo-iss"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> state("demo-dvpp", id, "demo-iss").equals("delivered"));
    setStatus("demo-dvpp", "suspend");
    try {
      // When partner support fetches it (its status says delivered once the decision is recorded;
      // the copy is readable once the pipeline's Kafka transaction, which follows, commits)
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> copyIn("demo-iss", id, "attendance") != null);
      // Then the fetch is recorded, and the notice to the suspended sender is withheld, with the
      // reason
      assertNotNull(auditEvent("demo-iss", "fetched", start, id));
      JsonNode withheld = auditEvent("demo-dvpp", "withheld", start, id);
      assertNotNull(withheld, "the withheld fetch-notice is audited");
      assertEquals("agency-suspended", withheld.get("reason").asText());
      assertEquals("fetch-notice", withheld.get("detail").get("notice").asText());
    } finally {
      setStatus("demo-dvpp", "reinstate");
    }
    // and once reinstated, the sender is told of later fetches, but the withheld notice is not
    // replayed
    String later =
        publish(
            "demo-dvpp",
            TestMessages.withRecipients(TestMessages.example("attendance"), "demo-iss"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> copyIn("demo-iss", later, "attendance") != null);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> copyIn("demo-dvpp", later, "fetch-notice") != null);
    assertNull(copyIn("demo-dvpp", id, "fetch-notice"));
  }

  @Test
  void consentWithdrawnNoticeToASuspendedAgencyIsWithheldAuditedAndNotReplayed() {
    // Given a consent-based risk disclosure delivered to partner support and Children's Services
    Instant start = Instant.now().minusSeconds(1);
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    publish("demo-iss", consentChange(subject, "granted", "partner-support", "childrens-services"));
    String first = publish("demo-marac", riskDisclosure(subject));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> state("demo-marac", first, "demo-cs").equals("delivered"));
    assertEquals("delivered", state("demo-marac", first, "demo-iss"));
    // and Children's Services suspended
    setStatus("demo-cs", "suspend");
    String withdrawal;
    try {
      // When consent is withdrawn
      withdrawal = publish("demo-iss", consentChange(subject, "withdrawn"));
      // Then partner support is told (the notices of one withdrawal commit together)...
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> copyIn("demo-iss", withdrawal, "consent-withdrawn-notice") != null);
      // ...and the notice to the suspended agency is withheld and audited
      JsonNode withheld = null;
      for (JsonNode e :
          TestMessages.readTree(
                  given()
                      .auth()
                      .oauth2(Tokens.forClient("demo-auditor"))
                      .queryParam("agency", "demo-cs")
                      .queryParam("action", "withheld")
                      .queryParam("from", start.toString())
                      .queryParam("limit", 1000)
                      .get("/api/v1/audit/events")
                      .then()
                      .statusCode(200)
                      .extract()
                      .asString())
              .get("events")) {
        if (withdrawal.equals(e.path("messageId").asText())
            && "consent-withdrawn-notice".equals(e.path("detail").path("notice").asText())) {
          withheld = e;
        }
      }
      assertNotNull(withheld, "the withheld consent notice is audited");
      assertEquals("agency-suspended", withheld.get("reason").asText());
    } finally {
      setStatus("demo-cs", "reinstate");
    }
    // and it is not replayed on reinstatement
    assertNull(copyIn("demo-cs", withdrawal, "consent-withdrawn-notice"));
  }

  static ObjectNode consentChange(String subject, String change, String... agencyTypes) {
    ObjectNode msg = TestMessages.example("consent-change");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    ObjectNode basis = msg.putObject("legalBasis");
    basis.put("basis", "legal-obligation");
    basis.put(
        "justification",
        "Agencies must be told of a change to consent so that they stop sharing beyond it.");
    ObjectNode p = msg.putObject("payload");
    p.put("subjectRef", subject);
    p.put("change", change);
    if (agencyTypes.length > 0) {
      var types = p.putObject("scope").putArray("agencyTypes");
      for (String t : agencyTypes) {
        types.add(t);
      }
    }
    p.put("recordedBy", "Test Worker");
    p.put("recordedAt", Instant.now().toString());
    TestMessages.withRecipients(msg, "demo-marac");
    return msg;
  }

  static ObjectNode riskDisclosure(String subject) {
    ObjectNode msg = TestMessages.example("risk-disclosure");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    msg.putObject("legalBasis").put("basis", "consent");
    return msg;
  }
}
