package org.safehub.consent;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The consent registry in PostgreSQL: per pseudonymous subject, the current consent (status and scope,
 * who recorded it and when) and the history of every change. Applying the same change twice is harmless.
 */
public final class ConsentRegistry {

  private final DataSource ds;

  public ConsentRegistry(DataSource ds) {
    this.ds = ds;
  }

  /** Applies a change inside the caller's transaction (used together with the message's receipt). */
  public void apply(Connection c, ConsentChange change) throws SQLException {
    Timestamp now = Timestamp.from(Instant.now());
    Array agencyTypes = c.createArrayOf("text", change.agencyTypes().toArray());
    Array messageTypes = c.createArrayOf("text", change.messageTypes().toArray());
    int fresh;
    try (PreparedStatement h =
        c.prepareStatement(
            "insert into consent_history (subject_ref, change, agency_types, message_types, recorded_by_agency, recorded_by_message,"
                + " recorded_at, applied_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (recorded_by_message, subject_ref) do nothing")) {
      h.setString(1, change.subjectRef());
      h.setString(2, change.kind().name().toLowerCase(java.util.Locale.ROOT));
      h.setArray(3, agencyTypes);
      h.setArray(4, messageTypes);
      h.setString(5, change.recordedByAgency());
      h.setObject(6, change.messageId());
      h.setTimestamp(7, Timestamp.from(change.recordedAt()));
      h.setTimestamp(8, now);
      fresh = h.executeUpdate();
    }
    if (fresh == 0) {
      return; // already applied: a re-send must not undo a later change
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into consent (subject_ref, status, agency_types, message_types, recorded_by_agency, recorded_by_message, recorded_at, updated_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (subject_ref) do update set status = excluded.status,"
                + " agency_types = excluded.agency_types, message_types = excluded.message_types,"
                + " recorded_by_agency = excluded.recorded_by_agency, recorded_by_message = excluded.recorded_by_message,"
                + " recorded_at = excluded.recorded_at, updated_at = excluded.updated_at")) {
      ps.setString(1, change.subjectRef());
      ps.setString(2, change.withdrawal() ? "withdrawn" : "granted");
      ps.setArray(3, change.withdrawal() ? c.createArrayOf("text", new Object[0]) : agencyTypes);
      ps.setArray(4, change.withdrawal() ? c.createArrayOf("text", new Object[0]) : messageTypes);
      ps.setString(5, change.recordedByAgency());
      ps.setObject(6, change.messageId());
      ps.setTimestamp(7, Timestamp.from(change.recordedAt()));
      ps.setTimestamp(8, now);
      ps.executeUpdate();
    }
  }

  /** The current consent of each of {@code subjectRefs} that has a record. */
  public Map<String, ConsentRecord> current(Collection<String> subjectRefs) throws SQLException {
    Map<String, ConsentRecord> out = new HashMap<>();
    if (subjectRefs.isEmpty()) {
      return out;
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select subject_ref, status, agency_types, message_types from consent where subject_ref = any (?)")) {
      ps.setArray(1, c.createArrayOf("text", subjectRefs.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(
              rs.getString(1),
              new ConsentRecord(rs.getString(1), "granted".equals(rs.getString(2)), strings(rs.getArray(3)), strings(rs.getArray(4))));
        }
      }
    }
    return out;
  }

  /**
   * Agencies that received (and may still hold) a copy of an earlier message that relied on the
   * subject's consent, with those messages' ids: they get a withdrawal notice.
   */
  public Map<String, List<UUID>> earlierConsentBasedRecipients(String subjectRef, UUID excluding) throws SQLException {
    Map<String, List<UUID>> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select d.recipient, d.message_id from receipt r join delivery d on d.message_id = r.message_id"
                    + " where r.legal_basis = 'consent' and r.subject_refs @> array[?]::text[] and r.message_id <> ?"
                    + " and d.state in ('delivered', 'acknowledged') order by d.recipient, r.received_at")) {
      ps.setString(1, subjectRef);
      ps.setObject(2, excluding);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>()).add((UUID) rs.getObject(2));
        }
      }
    }
    return out;
  }

  private static Set<String> strings(Array a) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    if (a != null) {
      for (Object o : (Object[]) a.getArray()) {
        out.add((String) o);
      }
    }
    return out;
  }
}
