package org.safehub.trail;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.RecipientKeyType;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Decisions taken over HTTP commit in the same PostgreSQL transaction as their audit event: when
 * the event cannot be written (here the database refuses it, through a trigger scoped to this
 * test's message or agency), the decision is not recorded either, and the caller gets a 503 problem
 * document.
 */
@QuarkusTest
class DecisionAuditIT {

  @Inject DataSource dataSource;

  /**
   * Makes the database refuse audit events of {@code action} whose {@code column} is {@code value},
   * until closed.
   */
  private AutoCloseable refuseAudit(String action, String column, String value)
      throws SQLException {
    String name = "refuse_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "create function "
              + name
              + "() returns trigger language plpgsql as $$ begin"
              + " if new.action = '"
              + action
              + "' and new."
              + column
              + "::text = '"
              + value
              + "' then"
              + " raise exception 'audit unavailable (test)'; end if; return new; end $$");
      s.execute(
          "create trigger "
              + name
              + " before insert on audit_event for each row execute function "
              + name
              + "()");
    }
    return () -> {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.execute("drop trigger " + name + " on audit_event");
        s.execute("drop function " + name + "()");
      }
    };
  }

  private String one(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Test
  void anAcknowledgementWhoseAuditEventCannotBeWrittenIsNotRecorded() throws Exception {
    // Given a copy delivered to demo-iss
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), "demo-iss");
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    UUID id = UUID.fromString(msg.get("messageId").asText());
    String state = "select state from delivery where message_id = ? and recipient = 'demo-iss'";
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "delivered".equals(one(state, id)));
    // When it is acknowledged while its audit event cannot be written
    try (AutoCloseable refused = refuseAudit("acknowledged", "message_id", id.toString())) {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-iss"))
          .post("/api/v1/inbox/" + id + "/ack")
          .then()
          .statusCode(503)
          .contentType("application/problem+json");
    }
    // Then the acknowledgement was not recorded either
    assertEquals("delivered", one(state, id));
    assertEquals(
        "0",
        one(
            "select count(*) from audit_event where action = 'acknowledged' and message_id = ?",
            id));
    // And once the audit log takes it, both are recorded together
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .post("/api/v1/inbox/" + id + "/ack")
        .then()
        .statusCode(200);
    assertEquals("acknowledged", one(state, id));
    assertEquals(
        "1",
        one(
            "select count(*) from audit_event where action = 'acknowledged' and message_id = ?",
            id));
  }

  @Test
  void aSuspensionWhoseAuditEventCannotBeWrittenDoesNotTakeEffect() throws Exception {
    try {
      // When demo-marac is suspended while the audit event cannot be written
      try (AutoCloseable refused = refuseAudit("agency-changed", "recipient", "demo-marac")) {
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-admin"))
            .post("/api/v1/admin/agencies/demo-marac/suspend")
            .then()
            .statusCode(503)
            .contentType("application/problem+json");
      }
      // Then it is still active
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .get("/api/v1/admin/agencies/demo-marac")
          .then()
          .statusCode(200)
          .body("status", org.hamcrest.Matchers.equalTo("active"));
      assertFalse(
          "suspended"
              .equals(one("select status from agency_status where agency_id = 'demo-marac'")));
    } finally {
      // never leave the agency suspended for other tests, whatever happened
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post("/api/v1/admin/agencies/demo-marac/reinstate");
    }
  }

  @Test
  void aCertificateWhoseAuditEventCannotBeWrittenIsNotAdded() throws Exception {
    // Given a valid certificate for demo-marac
    Path dir = Files.createTempDirectory("decision-audit");
    AgencyCertificate cert =
        AgencyKeyGenerator.generate("demo-marac", RecipientKeyType.EC_P256, dir);
    // When it is added while the audit event cannot be written
    try (AutoCloseable refused = refuseAudit("certificate-changed", "recipient", "demo-marac")) {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .contentType("application/x-pem-file")
          .body(cert.pem().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
          .post("/api/v1/admin/agencies/demo-marac/certificates")
          .then()
          .statusCode(503)
          .contentType("application/problem+json");
    }
    // Then the directory does not hold it
    assertEquals(
        "0",
        one(
            "select count(*) from agency_certificate where agency_id = 'demo-marac' and key_id = ?",
            cert.keyId()));
    List<String> keyIds =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-admin"))
            .get("/api/v1/admin/agencies/demo-marac")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("certificates.keyId");
    assertTrue(!keyIds.contains(cert.keyId()), keyIds.toString());
  }
}
