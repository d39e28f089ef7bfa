package org.safehub.trail;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.io.StringReader;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditVerifier;
import org.safehub.audit.MerkleTree;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The audit log end to end: every decision recorded, queried by an auditor, verified without
 * trusting the hub.
 */
@QuarkusTest
class AuditIT {

  @jakarta.inject.Inject javax.sql.DataSource dataSource;

  private static JsonNode get(String path, Object... query) {
    var req = given().auth().oauth2(Tokens.forClient("demo-auditor"));
    for (int i = 0; i + 1 < query.length; i += 2) {
      req.queryParam((String) query[i], query[i + 1]);
    }
    return TestMessages.readTree(req.get(path).then().statusCode(200).extract().asString());
  }

  private static List<String> actions(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("events")
        .forEach(
            e ->
                out.add(
                    e.get("action").asText()
                        + (e.has("recipient") ? "@" + e.get("recipient").asText() : "")));
    return out;
  }

  @Test
  void everyDecisionOnACaseIsRecordedWithoutContentAndAuditorsCanQueryIt() {
    // Given a case with a delivered attendance message and one explicit recipient that may not
    // receive it
    String caseRef = "CASE-AUD-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), "demo-marac");
    msg.put("caseRef", caseRef);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    String id = msg.get("messageId").asText();
    // When an auditor queries the case
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                actions(get("/api/v1/audit/events", "caseRef", caseRef))
                    .contains("delivered@demo-iss"));
    JsonNode page = get("/api/v1/audit/events", "caseRef", caseRef);
    // Then it shows who shared what type with whom, on what basis, and what was withheld, and no
    // content
    List<String> acts = actions(page);
    assertTrue(
        acts.containsAll(
            List.of(
                "publish-accepted",
                "routed",
                "delivered@demo-iss",
                "delivered@demo-cs",
                "withheld@demo-marac")),
        acts.toString());
    for (JsonNode e : page.get("events")) {
      if (e.get("action").asText().equals("audit-queried")) {
        continue; // the auditor's own look at the case is on its timeline too
      }
      assertEquals(id, e.get("messageId").asText());
      assertEquals("safeguarding-adult-at-risk", e.path("legalBasis").asText(), e.toString());
      assertFalse(e.toString().contains("programmeWeek"), "no payload content: " + e);
    }
    JsonNode withheld = page.get("events").findParents("reason").get(0);
    assertEquals("not-permitted-to-receive", withheld.get("reason").asText());
    assertEquals("demo-dvpp", page.get("events").get(0).get("actorAgency").asText());
    // and shares without consent are listed with their justification
    JsonNode without = get("/api/v1/audit/shared-without-consent", "limit", 1000);
    boolean found = false;
    for (JsonNode e : without.get("events")) {
      if (id.equals(e.path("messageId").asText())) {
        found = true;
        assertTrue(e.get("justification").asText().startsWith("Test share"), e.toString());
      }
    }
    assertTrue(found || without.get("nextAfter").isNumber(), "listed among shares without consent");
    // filters by agency, action and basis work too
    assertTrue(
        actions(
                get(
                    "/api/v1/audit/events",
                    "agency",
                    "demo-marac",
                    "action",
                    "withheld",
                    "limit",
                    1000))
            .contains("withheld@demo-marac"));
  }

  @Test
  void aWrittenJustificationIsStoredOnceSealedAndAuditorsReadItOpened() throws Exception {
    // Given a share without consent whose justification carries a canary, delivered to two agencies
    String canary = "Canary" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String justification = "Serious risk to the children; " + canary + " told the school.";
    ObjectNode msg =
        TestMessages.withRecipients(TestMessages.example("attendance"), "demo-iss", "demo-cs");
    ((ObjectNode) msg.get("legalBasis")).put("justification", justification);
    msg.put("caseRef", "CASE-JUS-" + UUID.randomUUID().toString().substring(0, 8));
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    UUID id = UUID.fromString(msg.get("messageId").asText());
    String caseRef = msg.get("caseRef").asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                actions(get("/api/v1/audit/events", "caseRef", caseRef, "limit", 1000))
                    .containsAll(List.of("delivered@demo-iss", "delivered@demo-cs")));
    // When a DBA reads every table directly
    String canaryHex =
        HexFormat.of().formatHex(canary.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "select table_name from information_schema.tables where table_schema = 'public'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      // Then no row holds the justification in plain text
      for (String table : tables) {
        try (java.sql.ResultSet rs =
            s.executeQuery(
                "select count(*) from "
                    + table
                    + " t where strpos(t::text, '"
                    + canary
                    + "') > 0 or strpos(lower(t::text), '"
                    + canaryHex
                    + "') > 0")) {
          rs.next();
          assertEquals(0, rs.getInt(1), "plain justification in " + table);
        }
      }
      // and it is stored once for the message, every event of the message naming that one seal
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "select count(*) from audit_justification where message_id = '" + id + "'")) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "select count(*), count(distinct event_json::json->'detail'->>'justificationSeal')"
                  + " from audit_event where message_id = '"
                  + id
                  + "' and event_json::json->'detail'->>'justificationSeal' is not null")) {
        rs.next();
        assertTrue(
            rs.getInt(1) >= 3, "publish-accepted, routed and the deliveries: " + rs.getInt(1));
        assertEquals(1, rs.getInt(2));
      }
    }
    // And the auditor reads it opened, on the case's events and among the shares without consent
    for (JsonNode e :
        get("/api/v1/audit/events", "caseRef", caseRef, "limit", 1000).get("events")) {
      if (e.has("messageId") && e.has("legalBasis")) {
        assertEquals(justification, e.path("justification").asText(), e.toString());
      }
    }
    boolean listed = false;
    Long after = null;
    do {
      JsonNode page =
          after == null
              ? get("/api/v1/audit/shared-without-consent", "limit", 1000)
              : get("/api/v1/audit/shared-without-consent", "limit", 1000, "after", after);
      for (JsonNode e : page.get("events")) {
        if (id.toString().equals(e.path("messageId").asText())) {
          listed = true;
          assertEquals(justification, e.get("justification").asText());
        }
      }
      after = page.get("nextAfter").isNumber() ? page.get("nextAfter").asLong() : null;
    } while (after != null);
    assertTrue(listed);
  }

  @Test
  void auditorsCanOnlyAuditAndEveryDenialIsRecorded() {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/messages")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .get("/api/v1/inbox")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .get("/api/v1/audit/events")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given().get("/api/v1/audit/events").then().statusCode(401);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<String> denied =
                  actions(
                      get(
                          "/api/v1/audit/events",
                          "action",
                          "forbidden",
                          "agency",
                          "demo-iss",
                          "limit",
                          1000));
              return !denied.isEmpty();
            });
    // (a 401 refused before any resource ran is audited from a worker thread: it may land after
    // its answer)
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                get("/api/v1/audit/events", "action", "auth-denied", "limit", 1000)
                        .get("events")
                        .size()
                    > 0);
    // and querying the audit log is itself audited
    assertTrue(
        get(
                    "/api/v1/audit/events",
                    "action",
                    "audit-queried",
                    "agency",
                    "demo-auditor",
                    "limit",
                    10)
                .get("events")
                .size()
            > 0);
  }

  @Test
  void anExportVerifiesOfflineAgainstTheHubKeyAndProofsCheckOut() throws Exception {
    // Given some traffic
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(TestMessages.example("attendance")))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    String pem =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .get("/api/v1/audit/public-key")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    PublicKey key = AuditVerifier.readPublicKeyPem(pem);
    // When an auditor exports the log
    String export =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .get("/api/v1/audit/export")
            .then()
            .statusCode(200)
            .contentType("application/x-ndjson")
            .extract()
            .asString();
    // Then the offline verifier says verified
    AuditVerifier.Result result = AuditVerifier.verify(new StringReader(export), key);
    assertInstanceOf(AuditVerifier.Verified.class, result, result.toString());
    // and altering one line is caught
    String[] lines = export.split("\n");
    int target = -1;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains("\"type\":\"event\"")
          && lines[i].contains("\"action\":\"publish-accepted\"")) {
        target = i;
        break;
      }
    }
    assertTrue(target > 0, "an event line to tamper with");
    lines[target] =
        lines[target].replace("\"action\":\"publish-accepted\"", "\"action\":\"publish-rejected\"");
    AuditVerifier.Result tampered =
        AuditVerifier.verify(new StringReader(String.join("\n", lines) + "\n"), key);
    assertInstanceOf(AuditVerifier.Failed.class, tampered);
    assertEquals(
        "altered",
        ((AuditVerifier.Failed) tampered)
            .kind()
            .toString()
            .toLowerCase(Locale.ROOT)
            .replace('_', '-'));
    // an inclusion proof for an event verifies against the latest checkpoint's root (the export
    // signed one if none was due)
    JsonNode cp = get("/api/v1/audit/checkpoints/latest");
    long size = cp.get("treeSize").asLong();
    JsonNode proof = get("/api/v1/audit/events/" + (size - 1) + "/inclusion", "treeSize", size);
    List<byte[]> path = new ArrayList<>();
    proof.get("path").forEach(h -> path.add(HexFormat.of().parseHex(h.asText())));
    byte[] root = rootOf(cp);
    assertTrue(
        MerkleTree.verifyInclusion(
            size - 1, size, HexFormat.of().parseHex(proof.get("leafHash").asText()), path, root));
    // and a consistency proof links an older tree to the checkpoint
    JsonNode consistency = get("/api/v1/audit/consistency", "from", 1, "to", size);
    assertEquals(size, consistency.get("newSize").asLong());
  }

  @Test
  void theOldAuditorPageLeadsToTheConsole() {
    given()
        .redirects()
        .follow(false)
        .get("/auditor.html")
        .then()
        .statusCode(301)
        .header("Location", org.hamcrest.Matchers.endsWith("/auditor/"));
  }

  private static byte[] rootOf(JsonNode checkpoint) {
    for (String field : List.of("rootHash", "root", "rootHex")) {
      if (checkpoint.has(field)) {
        String v = checkpoint.get(field).asText();
        try {
          return HexFormat.of().parseHex(v);
        } catch (IllegalArgumentException e) {
          return java.util.Base64.getDecoder().decode(v);
        }
      }
    }
    throw new AssertionError("checkpoint without a root: " + checkpoint);
  }
}
