package org.safehub.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Auditors' queries over {@code audit_event}, a page at a time, with justifications opened for the
 * reader.
 */
final class AuditQueries {

  private final DataSource dataSource;
  private final SealedJustifications justifications;

  AuditQueries(DataSource dataSource, SealedJustifications justifications) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.justifications = Objects.requireNonNull(justifications, "justifications");
  }

  /** See {@link AuditLog#query(AuditLog.Filter)}. */
  AuditLog.Page query(AuditLog.Filter f) {
    return query(f, false);
  }

  /**
   * The same matches as {@link #query(AuditLog.Filter)}, newest first when {@code newestFirst}:
   * then {@code afterSeq} means "older than" and the next page continues below the last seq.
   */
  AuditLog.Page query(AuditLog.Filter f, boolean newestFirst) {
    String order = newestFirst ? " order by seq desc limit ?" : " order by seq limit ?";
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    condition(conditions, params, "case_ref = ?", f.caseRef());
    condition(conditions, params, "action = ?", f.action() == null ? null : f.action().wire());
    condition(conditions, params, "legal_basis = ?", f.legalBasis());
    condition(
        conditions,
        params,
        "time >= ?",
        f.from() == null ? null : OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
    condition(
        conditions,
        params,
        "time < ?",
        f.to() == null ? null : OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
    condition(conditions, params, newestFirst ? "seq < ?" : "seq > ?", f.afterSeq());
    String rest = conditions.isEmpty() ? "" : " and " + String.join(" and ", conditions);
    String sql;
    List<Object> all = new ArrayList<>();
    if (f.agency() == null) {
      sql = "select seq, event_json from audit_event where true" + rest + order;
      all.addAll(params);
    } else {
      // one ordered index scan per side, merged: an OR across two indexes would sort every match
      sql =
          "select seq, event_json from ("
              + "(select seq, event_json from audit_event where actor_agency = ?"
              + rest
              + order
              + ")"
              + " union "
              + "(select seq, event_json from audit_event where recipient = ?"
              + rest
              + order
              + ")"
              + ") matched"
              + order;
      all.add(f.agency());
      all.addAll(params);
      all.add(f.limit() + 1);
      all.add(f.agency());
      all.addAll(params);
      all.add(f.limit() + 1);
    }
    all.add(f.limit() + 1);
    return page(sql, all, f.limit());
  }

  /** See {@link AuditLog#sharedWithoutConsent(Instant, Instant, Long, int)}. */
  AuditLog.Page sharedWithoutConsent(Instant from, Instant to, Long afterSeq, int limit) {
    AuditLog.Filter f = new AuditLog.Filter(null, null, null, null, from, to, afterSeq, limit);
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    condition(
        conditions,
        params,
        "time >= ?",
        f.from() == null ? null : OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
    condition(
        conditions,
        params,
        "time < ?",
        f.to() == null ? null : OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
    condition(conditions, params, "seq > ?", f.afterSeq());
    String rest = conditions.isEmpty() ? "" : " and " + String.join(" and ", conditions);
    // the predicate is written exactly as the partial index's, so the planner can use it
    String sql =
        "select seq, event_json from audit_event where action = 'delivered'"
            + " and legal_basis is distinct from 'consent'"
            + rest
            + " order by seq limit ?";
    params.add(f.limit() + 1);
    return page(sql, params, f.limit());
  }

  private AuditLog.Page page(String sql, List<Object> params, int limit) {
    List<AuditEvent> events = new ArrayList<>();
    boolean more = false;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (events.size() == limit) {
            more = true;
            break;
          }
          long seq = rs.getLong(1);
          AuditEvent event = AuditEvent.fromJson(rs.getString(2));
          if (event.seq() != seq) {
            throw new IllegalStateException(
                "stored audit event " + seq + " carries seq " + event.seq());
          }
          events.add(event);
        }
      }
      events = justifications.open(c, events);
    } catch (SQLException e) {
      throw new IllegalStateException("could not query the audit log", e);
    }
    return new AuditLog.Page(events, more ? events.get(events.size() - 1).seq() : null);
  }

  private static void condition(
      List<String> conditions, List<Object> params, String sql, Object value) {
    if (value != null) {
      conditions.add(sql);
      params.add(value);
    }
  }
}
