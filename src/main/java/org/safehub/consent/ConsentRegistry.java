package org.safehub.consent;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.safehub.agencies.AgencyType;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.LegalBasis;

/**
 * The consent registry in PostgreSQL: per pseudonymous subject, the current consent (status and
 * scope, who recorded it and when) and the history of every change. Applying the same change twice
 * is harmless.
 */
@Singleton
public final class ConsentRegistry {

  private final DataSource ds;

  @Inject
  public ConsentRegistry(DataSource ds) {
    this.ds = ds;
  }

  /**
   * The registry holds another role for the subject than the change gives it: nothing was applied
   * (409).
   */
  public static final class RoleConflict extends SQLException {
    public RoleConflict() {
      super("the change gives the subject another role than the registry holds");
    }
  }

  /**
   * Applies a change inside the caller's transaction, the one that confirms the message's receipt
   * and records its audit events: the change takes effect with its message or not at all. The
   * subject's row is locked first, then numbered from {@code consent_seq}, so changes to one
   * subject apply one after the other in the order their transactions commit (the order the hub
   * accepts them), on every instance; no clock decides. Applying the same change twice is harmless.
   */
  public void apply(Connection c, ConsentChange change) throws SQLException {
    try (PreparedStatement done =
        c.prepareStatement(
            "select 1 from consent_history where recorded_by_message = ? and subject_ref = ?")) {
      done.setObject(1, change.messageId());
      done.setString(2, change.subjectRef());
      try (ResultSet rs = done.executeQuery()) {
        if (rs.next()) {
          return; // already applied: a re-send must not undo a later change
        }
      }
    }
    Timestamp now = Timestamp.from(Instant.now());
    // a first change for the subject makes its row (withdrawn until updated below, and only seen
    // once committed)
    try (PreparedStatement first =
        c.prepareStatement(
            "insert into consent (subject_ref, status, recorded_by_agency, recorded_by_message, recorded_at, updated_at, subject_role)"
                + " values (?, 'withdrawn', ?, ?, ?, ?, ?) on conflict (subject_ref) do nothing")) {
      first.setString(1, change.subjectRef());
      first.setString(2, change.recordedByAgency());
      first.setObject(3, change.messageId());
      first.setTimestamp(4, Timestamp.from(change.recordedAt()));
      first.setTimestamp(5, now);
      first.setString(6, change.subjectRole());
      first.executeUpdate();
    }
    String registeredRole;
    try (java.sql.Statement st = c.createStatement()) {
      // a pipeline batch holding this subject's consent until its Kafka commit is waited for, but
      // not forever
      st.execute("set local lock_timeout = '5s'");
    }
    try (PreparedStatement lock =
        c.prepareStatement("select subject_role from consent where subject_ref = ? for update")) {
      lock.setString(1, change.subjectRef());
      try (ResultSet rs = lock.executeQuery()) {
        rs.next();
        registeredRole = rs.getString(1);
      }
    }
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("set local lock_timeout to default");
    }
    if (change.subjectRole() == null
        || (registeredRole != null && !registeredRole.equals(change.subjectRole()))) {
      throw new RoleConflict();
    }
    long seq;
    try (PreparedStatement next = c.prepareStatement("select nextval('consent_seq')");
        ResultSet rs = next.executeQuery()) {
      rs.next();
      seq = rs.getLong(1);
    }
    Array agencyTypes =
        c.createArrayOf("text", change.agencyTypes().stream().map(AgencyType::name).toArray());
    Array messageTypes = c.createArrayOf("text", change.messageTypes().toArray());
    try (PreparedStatement h =
        c.prepareStatement(
            "insert into consent_history (subject_ref, change, agency_types, message_types, recorded_by_agency, recorded_by_message,"
                + " recorded_at, applied_at, seq, subject_role) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      h.setString(1, change.subjectRef());
      h.setString(2, change.kind().name().toLowerCase(java.util.Locale.ROOT));
      h.setArray(3, agencyTypes);
      h.setArray(4, messageTypes);
      h.setString(5, change.recordedByAgency());
      h.setObject(6, change.messageId());
      h.setTimestamp(7, Timestamp.from(change.recordedAt()));
      h.setTimestamp(8, now);
      h.setLong(9, seq);
      h.setString(10, change.subjectRole());
      h.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "update consent set status = ?, agency_types = ?, message_types = ?, recorded_by_agency = ?, recorded_by_message = ?,"
                + " recorded_at = ?, updated_at = ?, seq = ?, subject_role = coalesce(subject_role, ?) where subject_ref = ?")) {
      ps.setString(1, change.withdrawal() ? "withdrawn" : "granted");
      ps.setArray(2, change.withdrawal() ? c.createArrayOf("text", new Object[0]) : agencyTypes);
      ps.setArray(3, change.withdrawal() ? c.createArrayOf("text", new Object[0]) : messageTypes);
      ps.setString(4, change.recordedByAgency());
      ps.setObject(5, change.messageId());
      ps.setTimestamp(6, Timestamp.from(change.recordedAt()));
      ps.setTimestamp(7, now);
      ps.setLong(8, seq);
      ps.setString(9, change.subjectRole());
      ps.setString(10, change.subjectRef());
      ps.executeUpdate();
    }
  }

  /** The role the registry holds for {@code subjectRef}, or null if it holds none. */
  public String role(String subjectRef) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select subject_role from consent where subject_ref = ?")) {
      ps.setString(1, subjectRef);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Whether a consent-change message has taken effect, may still, or never will. */
  public enum Acceptance {
    APPLIED,
    PENDING,
    NOT_ACCEPTED
  }

  /**
   * Whether the consent change of message {@code messageId} took effect. A message in the inbound
   * topic whose receipt was given back (its publisher was refused) never will; one whose receipt
   * still waits for its confirmation may, until {@code grace} has passed by the database's clock.
   */
  public Acceptance acceptance(UUID messageId, java.time.Duration grace) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select exists (select 1 from consent_history where recorded_by_message = ?),"
                    + " (select state = 'accepting' and received_at > clock_timestamp() - ? * interval '1 millisecond' from receipt where message_id = ?)")) {
      ps.setObject(1, messageId);
      ps.setLong(2, grace.toMillis());
      ps.setObject(3, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return Acceptance.APPLIED;
        }
        boolean waiting = rs.getBoolean(2);
        return !rs.wasNull() && waiting ? Acceptance.PENDING : Acceptance.NOT_ACCEPTED;
      }
    }
  }

  /**
   * Shared locks on the consent rows of {@code subjectRefs} and their current records, held until
   * {@link DeliveryLock#close()}. The pipeline holds it from the moment it re-checks consent until
   * its Kafka transaction has committed: a withdrawal (which updates the row) waits for a batch
   * that read the consent before it, and a batch that reads after it sees it.
   */
  public DeliveryLock lockForDelivery(Collection<String> subjectRefs) throws SQLException {
    Connection c = ds.getConnection();
    try {
      c.setAutoCommit(false);
      Map<String, ConsentRecord> out;
      try (PreparedStatement ps =
          c.prepareStatement(
              "select subject_ref, status, agency_types, message_types from consent where subject_ref = any (?) order by subject_ref for share")) {
        ps.setArray(1, c.createArrayOf("text", subjectRefs.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          out = current(rs);
        }
      }
      return new DeliveryLock(c, Map.copyOf(out));
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } finally {
        c.close();
      }
      throw e;
    }
  }

  /** Consent records read under a shared lock; closing releases the lock. */
  public static final class DeliveryLock implements AutoCloseable {
    private final Connection c;
    private final Map<String, ConsentRecord> records;

    DeliveryLock(Connection c, Map<String, ConsentRecord> records) {
      this.c = c;
      this.records = records;
    }

    public Map<String, ConsentRecord> records() {
      return records;
    }

    @Override
    public void close() {
      try (c) {
        c.rollback(); // read only: nothing to keep
      } catch (SQLException e) {
        // the connection is gone, and its locks with it
      }
    }
  }

  /** The current consent of each of {@code subjectRefs} that has a record. */
  public Map<String, ConsentRecord> current(Collection<String> subjectRefs) throws SQLException {
    if (subjectRefs.isEmpty()) {
      return new HashMap<>();
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT_CURRENT)) {
      ps.setArray(1, c.createArrayOf("text", subjectRefs.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return current(rs);
      }
    }
  }

  /**
   * {@link #current} of non-empty {@code subjectRefs} as a read to send with others ({@link
   * ReadsTogether}); {@code into} is given the records once the read has run.
   */
  public ReadsTogether.Read currentRead(
      Collection<String> subjectRefs, Consumer<Map<String, ConsentRecord>> into) {
    return new ReadsTogether.Read(
        SELECT_CURRENT,
        (c, ps, first) -> {
          ps.setArray(first, c.createArrayOf("text", subjectRefs.toArray()));
          return first + 1;
        },
        rs -> into.accept(current(rs)));
  }

  private static final String SELECT_CURRENT =
      "select subject_ref, status, agency_types, message_types from consent where subject_ref = any (?)";

  private static Map<String, ConsentRecord> current(ResultSet rs) throws SQLException {
    Map<String, ConsentRecord> out = new HashMap<>();
    while (rs.next()) {
      out.put(
          rs.getString(1),
          new ConsentRecord(
              rs.getString(1),
              "granted".equals(rs.getString(2)),
              agencyTypes(rs.getArray(3)),
              strings(rs.getArray(4))));
    }
    return out;
  }

  /**
   * Agencies that received (and may still hold) a copy of an earlier message that relied on the
   * subject's consent, with those messages' ids: they get a withdrawal notice.
   */
  public Map<String, List<UUID>> earlierConsentBasedRecipients(String subjectRef, UUID excluding)
      throws SQLException {
    Map<String, List<UUID>> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select d.recipient, d.message_id from receipt r join delivery d on d.message_id = r.message_id"
                    + " where r.legal_basis = ? and r.subject_refs @> array[?]::text[] and r.message_id <> ?"
                    + " and d.state in ('delivered', 'acknowledged') order by d.recipient, r.received_at")) {
      ps.setString(1, LegalBasis.CONSENT.wire());
      ps.setString(2, subjectRef);
      ps.setObject(3, excluding);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>())
              .add((UUID) rs.getObject(2));
        }
      }
    }
    return out;
  }

  private static Set<AgencyType> agencyTypes(Array a) throws SQLException {
    Set<AgencyType> out = new LinkedHashSet<>();
    for (String name : strings(a)) {
      out.add(AgencyType.of(name));
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
