package org.safehub.ingress;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseOpening;
import org.safehub.cases.CaseReferrals;
import org.safehub.consent.ConsentChange;
import org.safehub.consent.ConsentRegistry;
import org.safehub.db.Transactions;
import org.safehub.envelope.LegalBasis;
import org.safehub.trail.AuditTrail;

/**
 * Receipts for accepted messages, keyed by messageId, in PostgreSQL. A claim is taken before the
 * message is written to Kafka and confirmed after, so a re-send can tell "accepted" from "in
 * flight". Claims and confirmations are made in groups, inside a transaction {@link GroupCommit}
 * holds. A consent change takes effect with its confirmation, in the transaction that makes its
 * receipt final and records its audit events: a change whose message is refused or fails changes
 * nothing.
 */
@Singleton
public final class ReceiptStore {

  private final DataSource ds;
  private final ConsentRegistry consent;
  private final AuditTrail trail;
  private final CaseReferrals cases;

  /** Without cases: a confirmation that would open one fails (tests of receipts alone). */
  public ReceiptStore(DataSource ds, ConsentRegistry consent, AuditTrail trail) {
    this(ds, consent, trail, null);
  }

  @Inject
  public ReceiptStore(
      DataSource ds, ConsentRegistry consent, AuditTrail trail, CaseReferrals cases) {
    this.ds = ds;
    this.consent = consent;
    this.trail = trail;
    this.cases = cases;
  }

  /** What a receipt records about a message besides its id: content-free. */
  public record Facts(
      String sender,
      byte[] hash,
      String type,
      String caseRef,
      LegalBasis legalBasis,
      List<String> subjectRefs) {}

  /** The result of trying to claim a messageId. */
  public sealed interface Claim {
    /** The id was free; it is now ours, with pending rows for the expected recipients. */
    record Claimed(Instant receivedAt) implements Claim {}

    /** Same sender, same content, already accepted: answer with the original receipt. */
    record Replay(Instant receivedAt) implements Claim {}

    /**
     * Same sender, same content, but not confirmed (a crash or a concurrent send): write it again.
     */
    record Unconfirmed(Instant receivedAt) implements Claim {}

    /** The id is taken by different content or another sender. */
    record Conflict() implements Claim {}

    /** The sending agency is suspended: nothing it sends is accepted. */
    record SenderSuspended() implements Claim {}
  }

  /** A claim to take, with the others of its group, in one transaction ({@link GroupCommit}). */
  public record ClaimRequest(
      UUID messageId, Facts facts, Instant receivedAt, List<String> pending, CaseOpening opening) {
    public ClaimRequest {
      pending = List.copyOf(pending);
    }

    public ClaimRequest(UUID messageId, Facts facts, Instant receivedAt, List<String> pending) {
      this(messageId, facts, receivedAt, pending, null);
    }
  }

  /**
   * A confirmation to make, with the others of its group, in one transaction ({@link GroupCommit}).
   */
  public record ConfirmRequest(UUID messageId, ConsentChange change, List<AuditEvent> events) {
    public ConfirmRequest {
      events = List.copyOf(events);
    }
  }

  /**
   * Takes every claim of a group inside the caller's open transaction, with a few statements for
   * the whole group whatever its size. A claim by a sender in {@code suspended} is refused. Results
   * are in the order of {@code requests}; they hold only once the caller commits. A referral that
   * opens or reopens its case does so in this transaction, with its audit events, which are added
   * to {@code stored} (to forward once the caller has committed): a referral is never claimed
   * without its case.
   */
  public List<Claim> claimAll(
      Connection c,
      List<ClaimRequest> requests,
      java.util.Set<String> suspended,
      List<AuditEvent> stored)
      throws SQLException {
    List<Claim> out = claimReceipts(c, requests, suspended);
    List<AuditEvent> caseEvents = new java.util.ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      CaseOpening opening = requests.get(i).opening();
      Claim claim = out.get(i);
      if (opening != null
          && (claim instanceof Claim.Claimed || claim instanceof Claim.Unconfirmed)) {
        if (cases == null) {
          throw new SQLException("no case store to open the referral's case in");
        }
        caseEvents.addAll(cases.apply(c, opening));
      }
    }
    if (!caseEvents.isEmpty()) {
      stored.addAll(trail.recordIn(c, caseEvents));
    }
    return out;
  }

  private List<Claim> claimReceipts(
      Connection c, List<ClaimRequest> requests, java.util.Set<String> suspended)
      throws SQLException {
    Claim[] out = new Claim[requests.size()];
    List<Integer> live = new java.util.ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      if (suspended.contains(requests.get(i).facts().sender())) {
        out[i] = new Claim.SenderSuspended();
      } else {
        live.add(i);
      }
    }
    if (!live.isEmpty()) {
      boolean[] inserted = ReceiptInserts.insert(c, requests, live);
      List<UUID> taken = new java.util.ArrayList<>();
      for (int k = 0; k < live.size(); k++) {
        ClaimRequest r = requests.get(live.get(k));
        if (inserted[k]) {
          out[live.get(k)] = new Claim.Claimed(r.receivedAt());
        } else {
          taken.add(r.messageId());
        }
      }
      if (!taken.isEmpty()) {
        java.util.Map<UUID, Object[]> existing = new java.util.HashMap<>();
        try (PreparedStatement ps =
            c.prepareStatement(
                "select message_id, sender, content_hash, received_at, state from receipt where message_id = any(?)")) {
          ps.setArray(1, c.createArrayOf("uuid", taken.toArray()));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              existing.put(
                  rs.getObject(1, UUID.class),
                  new Object[] {
                    rs.getString(2), rs.getBytes(3), rs.getTimestamp(4).toInstant(), rs.getString(5)
                  });
            }
          }
        }
        for (int k = 0; k < live.size(); k++) {
          if (inserted[k]) {
            continue;
          }
          ClaimRequest r = requests.get(live.get(k));
          Object[] row = existing.get(r.messageId());
          out[live.get(k)] =
              row == null
                  ? new Claim.Conflict()
                  : existingClaim(
                      r.facts(),
                      (String) row[0],
                      (byte[]) row[1],
                      (Instant) row[2],
                      (String) row[3]);
        }
      }
    }
    return List.of(out);
  }

  /**
   * Confirms every message of a group inside the caller's open transaction: receipts final, consent
   * changes in effect, and the audit events of the messages confirmed now appended, in one go.
   * Returns the stored events, to forward once the caller has committed. A consent change is
   * applied only by the transaction that makes its receipt final, so it takes effect exactly when
   * its message is accepted; one whose receipt was given back (its publisher was refused) is not
   * applied at all.
   */
  public List<AuditEvent> confirmAll(Connection c, List<ConfirmRequest> requests)
      throws SQLException {
    if (requests.isEmpty()) {
      return List.of();
    }
    int[] updated;
    try (PreparedStatement ps =
        c.prepareStatement(
            "update receipt set state = 'accepted' where message_id = ? and state = 'accepting'")) {
      for (ConfirmRequest r : requests) {
        ps.setObject(1, r.messageId());
        ps.addBatch();
      }
      updated = ps.executeBatch();
    }
    for (int i = 0; i < requests.size(); i++) {
      if (updated[i] == 1 && requests.get(i).change() != null) {
        consent.apply(c, requests.get(i).change());
      } else if (requests.get(i).change() != null) {
        throw new SQLException(
            "the consent change's receipt is no longer waiting for confirmation");
      }
    }
    List<AuditEvent> events = new java.util.ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      if (updated[i] == 1) {
        events.addAll(requests.get(i).events());
      }
    }
    return trail.recordIn(c, events);
  }

  private static Claim existingClaim(
      Facts facts, String sender, byte[] hash, Instant receivedAt, String state) {
    if (!sender.equals(facts.sender()) || !Arrays.equals(hash, facts.hash())) {
      return new Claim.Conflict();
    }
    return "accepted".equals(state)
        ? new Claim.Replay(receivedAt)
        : new Claim.Unconfirmed(receivedAt);
  }

  /** Kafka refused the message: give the id back so the publisher can retry. */
  public void release(UUID messageId) {
    try {
      Transactions.run(
          ds,
          c -> {
            try (PreparedStatement d =
                    c.prepareStatement(
                        "delete from delivery where message_id = ? and state = 'pending'");
                PreparedStatement r =
                    c.prepareStatement(
                        "delete from receipt where message_id = ? and state = 'accepting'")) {
              d.setObject(1, messageId);
              d.executeUpdate();
              r.setObject(1, messageId);
              r.executeUpdate();
            }
          });
    } catch (SQLException e) {
      // an unconfirmed receipt is harmless: a re-send with the same content is written again
    }
  }

  /**
   * A stored receipt: who sent the message, its type, its lawful basis (null on a receipt written
   * before bases were recorded), when it was accepted.
   */
  public record Stored(
      UUID messageId,
      String sender,
      String type,
      LegalBasis legalBasis,
      Instant receivedAt,
      boolean confirmed) {}

  /** The receipt of a message, if the hub accepted (or is accepting) it. */
  public java.util.Optional<Stored> find(UUID messageId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select sender, message_type, legal_basis, received_at, state from receipt where message_id = ?")) {
      ps.setObject(1, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? java.util.Optional.of(
                new Stored(
                    messageId,
                    rs.getString(1),
                    rs.getString(2),
                    basis(rs.getString(3)),
                    rs.getTimestamp(4).toInstant(),
                    "accepted".equals(rs.getString(5))))
            : java.util.Optional.empty();
      }
    }
  }

  /** The caseRef a message was accepted on, if the hub holds its receipt. */
  public java.util.Optional<String> caseRefOf(UUID messageId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select case_ref from receipt where message_id = ?")) {
      ps.setObject(1, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? java.util.Optional.ofNullable(rs.getString(1))
            : java.util.Optional.empty();
      }
    }
  }

  private static LegalBasis basis(String wire) {
    return wire == null ? null : LegalBasis.parse(wire);
  }
}
