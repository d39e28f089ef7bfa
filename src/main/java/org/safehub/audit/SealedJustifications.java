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
   * Replaces each justification by its seal: sealed and stored once per message, under the writer
   * lock.
   */
  List<AuditEvent> seal(Connection c, List<AuditEvent> events) throws SQLException {
    Map<UUID, String> texts = new LinkedHashMap<>();
    for (AuditEvent e : events) {
      if (e.justification() != null) {
        if (e.messageId() == null) {
          throw new IllegalArgumentException("a justification is recorded only with its message");
        }
        texts.putIfAbsent(e.messageId(), e.justification());
      }
    }
    if (texts.isEmpty()) {
      return events;
    }
    Map<UUID, String> seals = new HashMap<>();
    HexFormat hex = HexFormat.of();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select message_id, sealed_sha256 from audit_justification where message_id = any (?)")) {
      ps.setArray(1, c.createArrayOf("uuid", texts.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seals.put(rs.getObject(1, UUID.class), hex.formatHex(rs.getBytes(2)));
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into audit_justification (message_id, sealed, sealed_sha256, time) values (?, ?, ?, ?)")) {
      boolean any = false;
      for (Map.Entry<UUID, String> t : texts.entrySet()) {
        if (seals.containsKey(t.getKey())) {
          continue; // once per message: later events of the message point at the first seal
        }
        byte[] sealed = sealer.seal(t.getKey(), t.getValue());
        byte[] digest = sha256(sealed);
        ps.setObject(1, t.getKey());
        ps.setBytes(2, sealed);
        ps.setBytes(3, digest);
        ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        ps.addBatch();
        any = true;
        seals.put(t.getKey(), hex.formatHex(digest));
      }
      if (any) {
        ps.executeBatch();
      }
    }
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
