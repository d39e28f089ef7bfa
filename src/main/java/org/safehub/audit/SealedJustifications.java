package org.safehub.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Justifications in {@code audit_justification}: sealed and stored once per message when their
 * events are appended (the events then carry only the seal's SHA-256 as {@code
 * detail.justificationSeal}), and opened again for the auditor's queries.
 */
final class SealedJustifications {

  private final JustificationSealer sealer;
  private final Clock clock;

  SealedJustifications(JustificationSealer sealer, Clock clock) {
    this.sealer = Objects.requireNonNull(sealer, "justifications");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Reads the seals already stored for messages (its one parameter: their ids as a uuid array); run
   * by {@link AuditAppender} in its first round trip, after the writer lock.
   */
  static final String STORED_SEALS =
      "select message_id, sealed_sha256 from audit_justification where message_id = any (?::uuid[])";

  /**
   * Stores new seals, one row each (its parameters: ids, seals, their SHA-256 and times, as
   * arrays); run by {@link AuditAppender} in the round trip that inserts the events.
   */
  static final String INSERT =
      "insert into audit_justification (message_id, sealed, sealed_sha256, time)"
          + " select u.message_id, u.sealed, u.sealed_sha256, u.time::timestamptz"
          + " from unnest(?::uuid[], ?::bytea[], ?::bytea[], ?::text[])"
          + " as u(message_id, sealed, sealed_sha256, time)";

  /** A message's justification sealed for storage. */
  record Row(UUID messageId, byte[] sealed, byte[] sha256, OffsetDateTime time) {}

  /**
   * The seal of each message's justification (SHA-256, hex), and the rows for those not stored yet.
   */
  record Sealed(Map<UUID, String> seals, List<Row> rows) {}

  /**
   * The justification of each message among {@code events}, once per message (the first event's);
   * empty if none has one.
   */
  static Map<UUID, String> texts(List<AuditEvent> events) {
    Map<UUID, String> texts = new LinkedHashMap<>();
    for (AuditEvent e : events) {
      if (e.justification() != null) {
        if (e.messageId() == null) {
          throw new IllegalArgumentException("a justification is recorded only with its message");
        }
        texts.putIfAbsent(e.messageId(), e.justification());
      }
    }
    return texts;
  }

  /** Reads {@link #STORED_SEALS}' result into {@code seals} (hex SHA-256 by message). */
  static void readStored(ResultSet rs, Map<UUID, String> seals) throws SQLException {
    HexFormat hex = HexFormat.of();
    while (rs.next()) {
      seals.put(rs.getObject(1, UUID.class), hex.formatHex(rs.getBytes(2)));
    }
  }

  /**
   * Seals the justifications of messages that have none stored (once per message: later events of a
   * message point at its first seal), under the writer lock.
   */
  Sealed seal(Map<UUID, String> texts, Map<UUID, String> stored) {
    Map<UUID, String> seals = new HashMap<>(stored);
    List<Row> rows = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    for (Map.Entry<UUID, String> t : texts.entrySet()) {
      if (seals.containsKey(t.getKey())) {
        continue;
      }
      byte[] sealed = sealer.seal(t.getKey(), t.getValue());
      byte[] digest = sha256(sealed);
      rows.add(new Row(t.getKey(), sealed, digest, now));
      seals.put(t.getKey(), hex.formatHex(digest));
    }
    return new Sealed(seals, rows);
  }

  /** Sets {@link #INSERT}'s four parameters from {@code first} on; returns the next one. */
  static int bindInsert(Connection c, PreparedStatement ps, int first, List<Row> rows)
      throws SQLException {
    int n = rows.size();
    Object[] ids = new Object[n];
    byte[][] sealed = new byte[n][];
    byte[][] digests = new byte[n][];
    String[] times = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      ids[i] = r.messageId();
      sealed[i] = r.sealed();
      digests[i] = r.sha256();
      times[i] = r.time().toString();
    }
    ps.setArray(first, c.createArrayOf("uuid", ids));
    ps.setArray(first + 1, c.createArrayOf("bytea", sealed));
    ps.setArray(first + 2, c.createArrayOf("bytea", digests));
    ps.setArray(first + 3, c.createArrayOf("text", times));
    return first + 4;
  }

  /** The events with each justification replaced by its seal ({@code detail.justificationSeal}). */
  static List<AuditEvent> withSeals(List<AuditEvent> events, Map<UUID, String> seals) {
    List<AuditEvent> out = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      if (e.justification() == null) {
        out.add(e);
        continue;
      }
      Map<String, String> detail = new HashMap<>(e.detail());
      detail.put(AuditLog.JUSTIFICATION_SEAL, seals.get(e.messageId()));
      out.add(e.withJustification(null, detail));
    }
    return out;
  }

  /**
   * The events with their justification opened from its seal (left out if the key is gone or the
   * seal is).
   */
  List<AuditEvent> open(Connection c, List<AuditEvent> events) throws SQLException {
    HexFormat hex = HexFormat.of();
    List<byte[]> wanted = new ArrayList<>();
    for (AuditEvent e : events) {
      String seal = e.detail().get(AuditLog.JUSTIFICATION_SEAL);
      if (seal != null && e.justification() == null) {
        wanted.add(hex.parseHex(seal));
      }
    }
    if (wanted.isEmpty()) {
      return events;
    }
    Map<String, String> opened = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select message_id, sealed, sealed_sha256 from audit_justification where sealed_sha256 = any (?)")) {
      ps.setArray(1, c.createArrayOf("bytea", wanted.toArray(new byte[0][])));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          UUID messageId = rs.getObject(1, UUID.class);
          byte[] sealed = rs.getBytes(2);
          if (!MessageDigest.isEqual(sha256(sealed), rs.getBytes(3))) {
            continue; // altered in the table: what the leaf committed to is gone
          }
          try {
            opened.put(
                messageId + "/" + hex.formatHex(rs.getBytes(3)), sealer.open(messageId, sealed));
          } catch (RuntimeException e) {
            // the audit key was destroyed for retention, or the seal was moved: the event stands
            // without it
          }
        }
      }
    }
    List<AuditEvent> out = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      String seal = e.detail().get(AuditLog.JUSTIFICATION_SEAL);
      String text = seal == null ? null : opened.get(e.messageId() + "/" + seal);
      out.add(text == null ? e : e.withJustification(text, e.detail()));
    }
    return out;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
