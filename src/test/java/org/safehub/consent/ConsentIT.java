package org.safehub.consent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/** Lawful basis and consent, end to end on the real broker and database. */
@QuarkusTest
class ConsentIT {

  static String publish(String client, ObjectNode msg) {
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
    TestMessages.withRecipients(msg, "demo-cs");
    return msg;
  }

  /** A routine risk disclosure relying on consent, with the victim's address, phone and a note. */
  static ObjectNode riskDisclosure(String subject) {
    ObjectNode msg = TestMessages.example("risk-disclosure");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    msg.putObject("legalBasis").put("basis", "consent");
    ObjectNode p = (ObjectNode) msg.get("payload");
    p.put("victimAddress", "1 Example Street, Coventry");
    p.put("victimPhone", "07700 900123");
    p.put("note", "Victim says he waits outside her work on Tuesdays.");
    return msg;
  }

  static Map<String, String[]> states(String sender, String id) {
    JsonPath st =
        given()
            .auth()
            .oauth2(Tokens.forClient(sender))
            .get("/api/v1/messages/" + id + "/status")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    Map<String, String[]> out = new HashMap<>();
    List<Map<String, Object>> recips = st.getList("recipients");
    recips.forEach(
        r ->
            out.put(
                (String) r.get("agency"),
                new String[] {(String) r.get("state"), (String) r.get("reason")}));
    return out;
  }

  static boolean settled(String sender, String id) {
    Map<String, String[]> s = states(sender, id);
    return !s.isEmpty() && s.values().stream().noneMatch(v -> v[0].equals("pending"));
  }

  /** The caller's inbox item for {@code messageId} of {@code type}, or null. */
  static JsonNode copyIn(String client, String messageId, String type) {
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
            && (type == null || type.equals(item.get("type").asText()))) {
          return item;
        }
      }
      cursor = body.get("nextCursor").asText();
    }
  }

  @Test
  void consentBasedMessageWithoutAnyConsentRecordIsWithheldFromEveryone() {
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    String id = publish("demo-marac", riskDisclosure(subject));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> settled("demo-marac", id));
    Map<String, String[]> s = states("demo-marac", id);
    assertEquals(java.util.Set.of("demo-dvpp", "demo-iss", "demo-cs"), s.keySet());
    s.values().forEach(v -> assertEquals("withheld", v[0]));
    s.values().forEach(v -> assertEquals("no-consent", v[1]));
  }

  @Test
  void consentOutsideItsScopeWithholdsOnlyTheUncoveredRecipient() {
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    publish("demo-iss", consentChange(subject, "granted", "partner-support", "childrens-services"));
    String id = publish("demo-marac", riskDisclosure(subject));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> settled("demo-marac", id));
    Map<String, String[]> s = states("demo-marac", id);
    assertEquals("delivered", s.get("demo-iss")[0]);
    assertEquals("delivered", s.get("demo-cs")[0]);
    assertEquals("withheld", s.get("demo-dvpp")[0]);
    assertEquals("no-consent", s.get("demo-dvpp")[1]);
  }

  @Test
  void riskDisclosureIsRedactedPerRecipientThenWithdrawnConsentWithholdsTheNextFromEveryone() {
    // Given consent to share with partner support, Children's Services and the programme
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    publish(
        "demo-iss",
        consentChange(
            subject, "granted", "partner-support", "childrens-services", "perpetrator-programme"));
    String first = publish("demo-marac", riskDisclosure(subject));
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> settled("demo-marac", first));
    states("demo-marac", first).values().forEach(v -> assertEquals("delivered", v[0]));
    // partner support and Children's Services get what the policy allows: the address, phone and
    // note
    for (String agency : List.of("demo-iss", "demo-cs")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> copyIn(agency, first, "risk-disclosure") != null);
      JsonNode payload =
          SealedCopies.open(agency, copyIn(agency, first, "risk-disclosure"))
              .get("message")
              .get("payload");
      assertEquals("1 Example Street, Coventry", payload.path("victimAddress").asText(), agency);
      assertEquals("07700 900123", payload.path("victimPhone").asText(), agency);
      assertTrue(payload.path("note").asText().contains("Tuesdays"), agency);
    }
    // the programme gets no address, phone or note, and is not told that they existed
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> copyIn("demo-dvpp", first, "risk-disclosure") != null);
    JsonNode programmeCopy =
        SealedCopies.open("demo-dvpp", copyIn("demo-dvpp", first, "risk-disclosure"));
    String programmeText = programmeCopy.toString();
    assertFalse(programmeText.contains("Example Street"), programmeText);
    assertFalse(programmeText.contains("07700"), programmeText);
    assertFalse(programmeText.contains("Tuesdays"), programmeText);
    assertTrue(programmeCopy.get("message").get("payload").has("riskLevel"), "risk stays");
    List<String> removed = new java.util.ArrayList<>();
    programmeCopy.get("removedCategories").forEach(c -> removed.add(c.asText()));
    // that an address or phone existed is itself information: a programme's copy never names a
    // guarded category
    assertTrue(
        removed.stream()
            .noneMatch(
                List.of("victim-location", "victim-contact", "child-location", "free-text")
                    ::contains),
        removed.toString());
    // When consent is withdrawn
    String withdrawal = publish("demo-iss", consentChange(subject, "withdrawn"));
    String later = publish("demo-marac", riskDisclosure(subject));
    // Then the next consent-based message is withheld from everyone, with the reason
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> settled("demo-marac", later));
    Map<String, String[]> s = states("demo-marac", later);
    assertEquals(3, s.size());
    s.values().forEach(v -> assertEquals("withheld", v[0]));
    s.values().forEach(v -> assertEquals("consent-withdrawn", v[1]));
    // and each earlier recipient gets a content-free notice naming the earlier message
    for (String agency : List.of("demo-dvpp", "demo-iss", "demo-cs")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> copyIn(agency, withdrawal, "consent-withdrawn-notice") != null);
      JsonNode notice = copyIn(agency, withdrawal, "consent-withdrawn-notice");
      assertEquals("safehub", notice.get("sender").asText(), agency);
      JsonNode opened = SealedCopies.open(agency, notice);
      assertTrue(opened.get("affectedMessageIds").toString().contains(first), agency);
      assertFalse(opened.toString().contains("Example Street"), agency);
    }
  }
}
