package org.safehub.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Appends events to the log: under the writer lock, with gapless seqs, each justification sealed
 * first ({@link SealedJustifications}), in one statement whatever the count. See {@link AuditLog}
 * for the contract.
 */
final class AuditAppender {

  /**
   * One statement for a whole append, its columns as arrays: one round trip and one plan, whatever
   * the count.
   */
  private static final String INSERT =
      "insert into audit_event (seq, time, action, actor_agency, actor_client,"
          + " message_id, message_type, case_ref, recipient, legal_basis, event_json, leaf_hash)"
          + " select u.seq, u.time::timestamptz, u.action, u.actor_agency, u.actor_client, u.message_id::uuid, u.message_type,"
          + " u.case_ref, u.recipient, u.legal_basis, u.event_json, u.leaf_hash"
          + " from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
          + " ?::text[], ?::bytea[]) as u(seq, time, action, actor_agency, actor_client, message_id, message_type, case_ref, recipient,"
          + " legal_basis, event_json, leaf_hash)";

  /** The next seq: read after the writer lock, so it sees every append committed before it. */
  private static final String NEXT_SEQ = "select coalesce(max(seq) + 1, 0) from audit_event";

  private final AuditTransactions db;
  private final SealedJustifications justifications;

  AuditAppender(AuditTransactions db, SealedJustifications justifications) {
    this.db = Objects.requireNonNull(db, "db");
    this.justifications = Objects.requireNonNull(justifications, "justifications");
  }

  /** See {@link AuditLog#decide(AuditLog.Decision)}. */
  <T> AuditLog.Decided<T> decide(AuditLog.Decision<T> decision) {
    try {
      return db.inTransaction(
          false,
          c -> {
            AuditLog.Decided<T> d = decision.decide(c);
            return new AuditLog.Decided<>(d.result(), appendInTransaction(c, d.events()));
          });
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not record the decision with its audit events", e);
    }
  }

  /** See {@link AuditLog#append(List)}. */
  List<AuditEvent> append(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    try {
      return db.inTransaction(false, c -> appendInTransaction(c, events));
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not append to the audit log", e);
    }
  }

  /** See {@link AuditLog#appendInTransaction(Connection, List)}. */
  List<AuditEvent> appendInTransaction(Connection c, List<AuditEvent> events) throws SQLException {
    if (c.getAutoCommit()) {
      throw new IllegalStateException(
          "audit events are appended inside a transaction; auto-commit is on");
    }
    if (events.isEmpty()) {
      return List.of();
    }
    // Round trip 1, three statements sent together and run in order: the writer lock (and the
    // isolation check), then, each with a snapshot taken after the lock, the next seq and the seals
    // already stored for these events' messages.
    Map<UUID, String> texts = SealedJustifications.texts(events);
    Map<UUID, String> storedSeals = new HashMap<>();
    long next;
    try (PreparedStatement ps =
        c.prepareStatement(
            AuditTransactions.LOCK_WRITER
                + "; "
                + NEXT_SEQ
                + (texts.isEmpty() ? "" : "; " + SealedJustifications.STORED_SEALS))) {
      ps.setLong(1, AuditLog.WRITER_LOCK);
      if (!texts.isEmpty()) {
        ps.setArray(2, c.createArrayOf("uuid", texts.keySet().toArray()));
      }
      ps.execute();
      try (ResultSet rs = ps.getResultSet()) {
        AuditTransactions.requireReadCommitted(rs);
      }
      ps.getMoreResults();
      try (ResultSet rs = ps.getResultSet()) {
        rs.next();
        next = rs.getLong(1);
      }
      if (!texts.isEmpty()) {
        ps.getMoreResults();
        try (ResultSet rs = ps.getResultSet()) {
          SealedJustifications.readStored(rs, storedSeals);
        }
      }
    }
    SealedJustifications.Sealed sealed = justifications.seal(texts, storedSeals);
    events = SealedJustifications.withSeals(events, sealed.seals());
    int n = events.size();
    List<AuditEvent> stored = new ArrayList<>(n);
    Long[] seqs = new Long[n];
    String[][] text = new String[10][n];
    byte[][] leafHashes = new byte[n][];
    for (int i = 0; i < n; i++) {
      AuditEvent e = events.get(i).withSeq(next++);
      byte[] json = e.canonicalBytes();
      seqs[i] = e.seq();
      text[0][i] = OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC).toString();
      text[1][i] = e.action().wire();
      text[2][i] = e.actorAgency();
      text[3][i] = e.actorClient();
      text[4][i] = e.messageId() == null ? null : e.messageId().toString();
      text[5][i] = e.messageType();
      text[6][i] = e.caseRef();
      text[7][i] = e.recipient();
      text[8][i] = e.legalBasis();
      text[9][i] = new String(json, StandardCharsets.UTF_8);
      leafHashes[i] = MerkleTree.leafHash(json);
      stored.add(e);
    }
    // Round trip 2: the new seals and the events, two statements sent together.
    List<SealedJustifications.Row> rows = sealed.rows();
    try (PreparedStatement ps =
        c.prepareStatement(rows.isEmpty() ? INSERT : SealedJustifications.INSERT + "; " + INSERT)) {
      int first = rows.isEmpty() ? 1 : SealedJustifications.bindInsert(c, ps, 1, rows);
      ps.setArray(first, c.createArrayOf("bigint", seqs));
      for (int k = 0; k < text.length; k++) {
        ps.setArray(first + 1 + k, c.createArrayOf("text", text[k]));
      }
      ps.setArray(first + 11, c.createArrayOf("bytea", leafHashes));
      ps.execute();
      if (!rows.isEmpty()) {
        int sealedRows = ps.getUpdateCount();
        if (sealedRows != rows.size()) {
          throw new SQLException(
              "audit append stored " + sealedRows + " of " + rows.size() + " justifications");
        }
        ps.getMoreResults();
      }
      int inserted = ps.getUpdateCount();
      if (inserted != n) {
        throw new SQLException("audit append wrote " + inserted + " of " + n + " events");
      }
    }
    return stored;
  }
}
