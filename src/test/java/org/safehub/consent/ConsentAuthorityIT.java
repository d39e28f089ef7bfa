package org.safehub.consent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Consent belongs to the person, recorded by those who work with them; a change takes effect only
 * with its message; and the status a perpetrator programme reads is no consent oracle. On the real
 * stack.
 */
@QuarkusTest
class ConsentAuthorityIT {

  @Inject DataSource db;

  private static String newSubject() {
    return "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Response post(String client, ObjectNode msg) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages");
  }

  private static ObjectNode withRole(ObjectNode msg, String ref, String role) {
    msg.putArray("subjects").addObject().put("ref", ref).put("role", role);
    return msg;
  }

  /** The registry's row for {@code subject}: status and role, or null if it has none. */
  private String[] registry(String subject) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select status, subject_role, recorded_by_message from consent where subject_ref = ?")) {
      ps.setString(1, subject);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3)} : null;
      }
    }
  }

  private long history(String subject) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select count(*) from consent_history where subject_ref = ?")) {
      ps.setString(1, subject);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private long refusalsAudited(String agency, String code) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from audit_event where action = 'forbidden' and actor_agency = ? and event_json like ?")) {
      ps.setString(1, agency);
      ps.setString(2, "%\"" + code + "\"%");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void aProgrammeCannotWithdrawOrGrantAVictimsConsentAndTheRefusalIsAudited() throws Exception {
    // Given a victim's consent recorded by partner support
    String victim = newSubject();
    String grant =
        ConsentIT.publish(
            "demo-iss",
            ConsentIT.consentChange(victim, "granted", "partner-support", "childrens-services"));
    long before = refusalsAudited("demo-dvpp", "consent-not-permitted");
    // When the programme tries to withdraw it, or to grant it wider
    for (ObjectNode attempt :
        new ObjectNode[] {
          ConsentIT.consentChange(victim, "withdrawn"),
          ConsentIT.consentChange(victim, "granted", "perpetrator-programme")
        }) {
      Response r = post("demo-dvpp", attempt);
      // Then it is refused as not permitted
      assertEquals(403, r.statusCode(), r.asString());
      assertTrue(r.jsonPath().getString("type").endsWith("consent-not-permitted"), r.asString());
    }
    // and audited, and the registry is as partner support left it
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> refusalsAudited("demo-dvpp", "consent-not-permitted") >= before + 2);
    assertEquals("granted", registry(victim)[0]);
    assertEquals(grant, registry(victim)[2]);
    assertEquals(1, history(victim));
  }

  @Test
  void aProgrammeCannotRecordAChildsConsentNorRelabelAVictimAsItsClient() throws Exception {
    String child = newSubject();
    Response r =
        post(
            "demo-dvpp",
            withRole(
                ConsentIT.consentChange(child, "granted", "perpetrator-programme"),
                child,
                "child"));
    assertEquals(403, r.statusCode(), r.asString());
    assertNull(registry(child));
    // a victim's ref given the perpetrator's role is still the victim's: the registry's role
    // decides
    String victim = newSubject();
    ConsentIT.publish("demo-iss", ConsentIT.consentChange(victim, "granted", "partner-support"));
    Response relabel =
        post(
            "demo-dvpp",
            withRole(ConsentIT.consentChange(victim, "withdrawn"), victim, "perpetrator"));
    assertEquals(403, relabel.statusCode(), relabel.asString());
    assertTrue(
        relabel.jsonPath().getString("type").endsWith("consent-not-permitted"), relabel.asString());
    assertEquals("granted", registry(victim)[0]);
  }

  @Test
  void aProgrammeMayRecordItsOwnClientsConsentAndItTakesEffectBeforeThe202() throws Exception {
    String client = newSubject();
    String id =
        ConsentIT.publish(
            "demo-dvpp",
            withRole(
                ConsentIT.consentChange(client, "granted", "partner-support"),
                client,
                "perpetrator"));
    // in effect when the 202 came: the change committed with its receipt
    String[] row = registry(client);
    assertEquals("granted", row[0]);
    assertEquals("perpetrator", row[1]);
    assertEquals(id, row[2]);
  }

  @Test
  void theSubjectRefMustBeOneOfTheSubjectsWithTheRoleTheRegistryHolds() throws Exception {
    // a change about a subject the message does not list
    String listed = newSubject();
    String other = newSubject();
    ObjectNode unlisted = ConsentIT.consentChange(listed, "granted", "partner-support");
    ((ObjectNode) unlisted.get("payload")).put("subjectRef", other);
    Response r = post("demo-iss", unlisted);
    assertEquals(409, r.statusCode(), r.asString());
    assertTrue(r.jsonPath().getString("type").endsWith("consent-subject-mismatch"), r.asString());
    assertNull(registry(other));
    assertNull(registry(listed));
    // a change giving a registered victim another role
    String victim = newSubject();
    ConsentIT.publish("demo-iss", ConsentIT.consentChange(victim, "granted", "partner-support"));
    Response relabel =
        post("demo-cs", withRole(ConsentIT.consentChange(victim, "withdrawn"), victim, "child"));
    assertEquals(409, relabel.statusCode(), relabel.asString());
    assertEquals("granted", registry(victim)[0]);
    assertEquals("victim", registry(victim)[1]);
  }

  @Test
  void aWithdrawalRefusedForAReusedMessageIdOrAnInvalidFieldChangesNothing() throws Exception {
    String victim = newSubject();
    String grant =
        ConsentIT.publish(
            "demo-iss", ConsentIT.consentChange(victim, "granted", "partner-support"));
    // a messageId already used by another message
    ObjectNode earlier = TestMessages.example("attendance");
    ConsentIT.publish("demo-dvpp", earlier);
    ObjectNode reused = ConsentIT.consentChange(victim, "withdrawn");
    reused.put("messageId", earlier.get("messageId").asText());
    Response r = post("demo-iss", reused);
    assertEquals(409, r.statusCode(), r.asString());
    // a withdrawal the schema refuses
    ObjectNode invalid = ConsentIT.consentChange(victim, "withdrawn");
    ((ObjectNode) invalid.get("payload")).put("recordedAt", "yesterday");
    assertEquals(400, post("demo-iss", invalid).statusCode());
    // the grant still stands, alone in the history
    assertEquals("granted", registry(victim)[0]);
    assertEquals(grant, registry(victim)[2]);
    assertEquals(1, history(victim));
  }

  @Test
  void aProgrammeReadingItsStatusCannotTellAVictimsConsentFromAnyOtherRefusal() {
    // a victim with no consent, and a victim whose consent was withdrawn
    String none = newSubject();
    String withdrawn = newSubject();
    ConsentIT.publish(
        "demo-iss",
        ConsentIT.consentChange(withdrawn, "granted", "partner-support", "childrens-services"));
    ConsentIT.publish("demo-iss", ConsentIT.consentChange(withdrawn, "withdrawn"));
    for (String victim : new String[] {none, withdrawn}) {
      // When the programme sends a consent-based risk disclosure about her, and a routine one that
      // is not
      String id = ConsentIT.publish("demo-dvpp", ConsentIT.riskDisclosure(victim));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> ConsentIT.settled("demo-dvpp", id));
      Map<String, String[]> s = ConsentIT.states("demo-dvpp", id);
      // Then every withheld copy shows the same reason, whatever consent she gave
      assertTrue(!s.isEmpty(), s.toString());
      s.forEach((agency, v) -> assertEquals("withheld", v[0], agency));
      s.forEach((agency, v) -> assertEquals("not-shared", v[1], agency));
    }
    // and so does, on a consent-based message, a refusal that has nothing to do with consent (a
    // recipient that may not receive the type)
    ObjectNode attendance =
        withRole(
            TestMessages.withRecipients(TestMessages.example("attendance"), "demo-marac"),
            none,
            "victim");
    attendance.putObject("legalBasis").put("basis", "consent");
    String other = ConsentIT.publish("demo-dvpp", attendance);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ConsentIT.settled("demo-dvpp", other));
    Map<String, String[]> mixed = ConsentIT.states("demo-dvpp", other);
    assertTrue(mixed.containsKey("demo-marac") && mixed.size() > 1, mixed.keySet().toString());
    mixed.forEach((agency, v) -> assertEquals("not-shared", v[1], agency));
    // while an agency that may record her consent still sees the precise reason
    String byMarac = ConsentIT.publish("demo-marac", ConsentIT.riskDisclosure(withdrawn));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ConsentIT.settled("demo-marac", byMarac));
    ConsentIT.states("demo-marac", byMarac)
        .values()
        .forEach(v -> assertEquals("consent-withdrawn", v[1]));
  }
}
