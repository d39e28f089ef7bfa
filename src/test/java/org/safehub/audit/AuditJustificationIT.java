package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Written justifications in the audit log: sealed, once per message, readable by auditors, not
 * needed to verify.
 */
class AuditJustificationIT {

  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  private static AuditEvent delivered(UUID messageId, String recipient, String justification) {
    return AuditEvent.builder(AuditAction.DELIVERED, T)
        .actor("police-west", "police-west-client")
        .message(messageId, "referral", "CASE-J")
        .recipient(recipient)
        .legalBasis("safeguarding-child", justification)
        .build();
  }

  @Test
  void aJustificationIsStoredOnceSealedAndNoTableHoldsItInPlainText() throws SQLException {
    // Given a log and a justification carrying a canary
    DataSource db = AuditDatabase.fresh();
    AuditLog log =
        new AuditLog(
            db, AuditDatabase.p256(), AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    String canary = "Canary" + UUID.randomUUID().toString().replace("-", "");
    String justification = "Child at immediate risk; " + canary + " named the address.";
    UUID message = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    // When three events of the message are appended over two appends, and two of another message
    log.append(
        List.of(
            delivered(message, "idva-service", justification),
            delivered(message, "police-west", justification)));
    log.append(
        List.of(
            delivered(message, "housing-central", justification),
            delivered(other, "idva-service", "Another reason, long enough to pass."),
            delivered(other, "police-west", "Another reason, long enough to pass.")));
    // Then no row of any table holds the canary, as text or as bytes
    String canaryHex = HexFormat.of().formatHex(canary.getBytes(StandardCharsets.UTF_8));
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "select table_name from information_schema.tables where table_schema = 'public'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertTrue(
          tables.contains("audit_justification") && tables.contains("audit_event"),
          tables.toString());
      for (String table : tables) {
        try (ResultSet rs = s.executeQuery("select t::text from " + table + " t")) {
          while (rs.next()) {
            String row = rs.getString(1);
            assertFalse(
                row.contains(canary) || row.toLowerCase(Locale.ROOT).contains(canaryHex),
                "plain justification in " + table);
          }
        }
      }
      // and it is stored once per message, each event pointing at it
      try (ResultSet rs =
          s.executeQuery(
              "select message_id, count(*) from audit_justification group by message_id")) {
        int messages = 0;
        while (rs.next()) {
          messages++;
          assertEquals(1, rs.getInt(2));
        }
        assertEquals(2, messages);
      }
      try (ResultSet rs =
          s.executeQuery(
              "select count(distinct event_json::json->'detail'->>'justificationSeal')"
                  + " from audit_event where message_id = '"
                  + message
                  + "'")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "every event of the message names the same seal");
      }
    }
    // and the auditor reads it, opened, on every event of the message
    List<AuditEvent> shared = log.sharedWithoutConsent(null, null, null, 100).events();
    assertEquals(5, shared.size());
    assertEquals(
        List.of(justification, justification, justification),
        shared.stream()
            .filter(e -> message.equals(e.messageId()))
            .map(AuditEvent::justification)
            .toList());
  }

  @Test
  void theLogVerifiesAndProvesWithTheAuditKeyDestroyed() throws Exception {
    // Given a log with sealed justifications and a checkpoint
    DataSource db = AuditDatabase.fresh();
    KeyPair keys = AuditDatabase.p256();
    AuditLog withKey =
        new AuditLog(db, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    List<AuditEvent> stored = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      stored.addAll(
          withKey.append(
              List.of(
                  delivered(
                      new UUID(7, i / 3),
                      "idva-service",
                      "Justification for message " + i / 3 + "."))));
    }
    Checkpoint before = withKey.checkpointNow();
    // When the audit key is destroyed (a hub instance without it, as after retention)
    AuditLog keyGone =
        new AuditLog(db, keys, JustificationSealer.NONE, AuditLog.Settings.defaults());
    // Then every leaf, the root and the proofs are unchanged: they commit to the sealed form
    assertArrayEquals(before.rootHash(), keyGone.root(300));
    assertArrayEquals(
        MerkleTree.root(stored.stream().map(AuditEvent::leafHash).toList()), keyGone.root(300));
    for (AuditEvent e : List.of(stored.get(0), stored.get(150), stored.get(299))) {
      AuditLog.InclusionProof proof = keyGone.inclusionProof(e.seq(), 300);
      assertArrayEquals(e.leafHash(), proof.leafHash());
      assertTrue(proof.verify(before.rootHash()));
    }
    // and an export verifies offline
    StringWriter export = new StringWriter();
    keyGone.export(0, 299, export);
    assertInstanceOf(
        AuditVerifier.Verified.class,
        AuditVerifier.verify(new StringReader(export.toString()), keys.getPublic()));
    // while the justification itself can no longer be read: the event shows only that one was
    // sealed
    AuditEvent first = keyGone.sharedWithoutConsent(null, null, null, 1).events().get(0);
    assertNull(first.justification());
    assertEquals(64, first.detail().get(AuditLog.JUSTIFICATION_SEAL).length());
    // and a log without the key refuses to take a new justification rather than store it in plain
    // text
    assertThrows(
        IllegalStateException.class,
        () -> keyGone.append(List.of(delivered(UUID.randomUUID(), "idva-service", "Plain text."))));
    assertEquals(300, keyGone.size());
  }
}
