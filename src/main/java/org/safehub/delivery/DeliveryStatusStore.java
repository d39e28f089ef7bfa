package org.safehub.delivery;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.safehub.audit.AuditEvent;
import org.safehub.copy.WithholdReason;
import org.safehub.db.Transactions;
import org.safehub.envelope.Priority;
import org.safehub.routing.Via;
import org.safehub.trail.AuditTrail;

/**
 * Per-recipient delivery state of each message (pending, delivered, acknowledged, withheld with a
 * reason) in PostgreSQL: what the sender's status endpoint shows. A delivered copy keeps its
 * acknowledgement deadline; read against the hub's {@link Clock}, a copy past it unacknowledged is
 * {@link DeliveryState#OVERDUE}, and an acknowledgement after it is recorded as late.
 */
@Singleton
public final class DeliveryStatusStore {

  private final DataSource ds;
  private final Clock clock;

  @Inject
  public DeliveryStatusStore(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  /**
   * One recipient's state; a reason only when withheld; a deadline only when its copy has one;
   * {@code acknowledgedLate} only when acknowledged; {@code via} (why routing chose the recipient:
   * {@code explicit}, {@code subscription}, {@code case}, {@code rule:<name>}) once decided.
   */
  public record RecipientState(
      String recipient,
      DeliveryState state,
      WithholdReason reason,
      Instant updatedAt,
      Instant deadline,
      Boolean acknowledgedLate,
      Via via) {}

  /**
   * A final decision to record: delivered (with its acknowledgement deadline, or null), or withheld
   * with a reason (never a deadline); with why routing chose the recipient ({@code via}, null if
   * unknown). A delivered copy with a deadline and its {@link Due} facts is also watched for
   * escalation ({@link DeadlineStore}).
   */
  public record Outcome(
      UUID messageId,
      String recipient,
      boolean delivered,
      WithholdReason reason,
      Instant deadline,
      Due due,
      Via via) {
    public Outcome {
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(recipient, "recipient");
      if (!delivered) {
        Objects.requireNonNull(reason, "a withheld copy needs a reason");
        deadline = null;
      }
      if (deadline == null) {
        due = null;
      }
    }

    /** A decision whose deadline (if any) is shown but not watched for escalation. */
    public Outcome(
        UUID messageId,
        String recipient,
        boolean delivered,
        WithholdReason reason,
        Instant deadline) {
      this(messageId, recipient, delivered, reason, deadline, null, null);
    }

    /** A decision without a deadline. */
    public Outcome(UUID messageId, String recipient, boolean delivered, WithholdReason reason) {
      this(messageId, recipient, delivered, reason, null, null, null);
    }

    /** The same decision, withheld for {@code why} instead. */
    public Outcome withheld(WithholdReason why) {
      return new Outcome(messageId, recipient, false, why, null, null, via);
    }
  }

  /**
   * What the escalator needs to know of a copy with a deadline, none of it content: the message's
   * sender, type, case, priority and area, and when the hub accepted it.
   */
  public record Due(
      String sender,
      String type,
      String caseRef,
      Priority priority,
      String area,
      Instant acceptedAt) {
    public Due {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(caseRef, "caseRef");
      Objects.requireNonNull(priority, "priority");
      Objects.requireNonNull(area, "area");
      Objects.requireNonNull(acceptedAt, "acceptedAt");
    }
  }

  /**
   * Records the pipeline's decisions for a batch in one database transaction, before the Kafka
   * transaction that delivers the copies commits. Acknowledged rows stay acknowledged. Recipients
   * still pending for these messages were not routed after all. {@code alsoInTransaction} (e.g. the
   * MARAC referrals of the batch) commits with them, or nothing does.
   */
  public List<AuditEvent> record(
      Collection<Outcome> outcomes,
      Collection<UUID> messageIds,
      WithholdReason notRoutedReason,
      List<AuditEvent> events,
      AuditTrail trail,
      Transactions.VoidWork<SQLException> alsoInTransaction)
      throws SQLException {
    Timestamp now = Timestamp.from(Instant.now());
    return Transactions.inTransaction(
        ds,
        c -> {
          // the decisions, the deadlines to watch and the not-routed mark: one round trip
          DeliveryDecisions.write(
              c,
              oneRowEach(outcomes),
              DeadlineStore.watched(outcomes),
              messageIds,
              notRoutedReason,
              now);
          alsoInTransaction.run(c);
          // the audit record commits with the decisions it records, before any copy is delivered
          return trail.recordIn(c, events);
        });
  }

  /**
   * The decisions with one per copy, as the upsert would leave them taken one by one: the last
   * decision, with the earliest route it names. The decisions are one INSERT of arrays ({@link
   * DeliveryDecisions#DECIDE}), and an upsert may not touch the same row twice in one statement; a
   * message read twice in one pipeline batch (a re-send after a lost answer) decides its copies
   * twice.
   */
  static Collection<Outcome> oneRowEach(Collection<Outcome> outcomes) {
    Map<List<Object>, Outcome> byCopy = new LinkedHashMap<>();
    for (Outcome o : outcomes) {
      byCopy.merge(
          List.of(o.messageId(), o.recipient()),
          o,
          (earlier, later) ->
              later.via() != null || earlier.via() == null
                  ? later
                  : new Outcome(
                      later.messageId(),
                      later.recipient(),
                      later.delivered(),
                      later.reason(),
                      later.deadline(),
                      later.due(),
                      earlier.via()));
    }
    return byCopy.values();
  }

  public List<RecipientState> status(UUID messageId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select recipient, state, reason, updated_at, deadline, acknowledged_late, via from delivery"
                    + " where message_id = ? order by recipient")) {
      ps.setObject(1, messageId);
      Instant now = clock.instant();
      List<RecipientState> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String reason = rs.getString(3);
          DeliveryState state = DeliveryState.parse(rs.getString(2));
          Timestamp d = rs.getTimestamp(5);
          Instant deadline = d == null ? null : d.toInstant();
          if (state == DeliveryState.DELIVERED && deadline != null && now.isAfter(deadline)) {
            state = DeliveryState.OVERDUE;
          }
          out.add(
              new RecipientState(
                  rs.getString(1),
                  state,
                  reason == null ? null : WithholdReason.parse(reason),
                  rs.getTimestamp(4).toInstant(),
                  deadline,
                  state == DeliveryState.ACKNOWLEDGED ? rs.getBoolean(6) : null,
                  rs.getString(7) == null ? null : new Via(rs.getString(7))));
        }
      }
      return out;
    }
  }

  /** The deadlines of {@code recipient}'s copies of {@code messageIds} that have one. */
  public Map<UUID, Instant> deadlines(String recipient, Collection<UUID> messageIds)
      throws SQLException {
    Map<UUID, Instant> out = new HashMap<>();
    if (messageIds.isEmpty()) {
      return out;
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select message_id, deadline from delivery where recipient = ? and message_id = any (?)"
                    + " and deadline is not null")) {
      ps.setString(1, recipient);
      ps.setArray(2, c.createArrayOf("uuid", messageIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant());
        }
      }
    }
    return out;
  }

  /**
   * Marks a delivered copy acknowledged by its recipient; false if the recipient has no such copy.
   */
  public boolean acknowledge(UUID messageId, String recipient) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return acknowledge(c, messageId, recipient);
    }
  }

  /**
   * As {@link #acknowledge(UUID, String)}, on the caller's connection (and so in its transaction).
   * The first acknowledgement after the copy's deadline (by the hub's clock) is recorded as late.
   */
  public boolean acknowledge(Connection c, UUID messageId, String recipient) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update delivery set state = 'acknowledged', updated_at = ?,"
                + " acknowledged_late = coalesce(acknowledged_late, deadline is not null and deadline < ?)"
                + " where message_id = ? and recipient = ? and state in ('delivered', 'acknowledged')")) {
      ps.setTimestamp(1, Timestamp.from(Instant.now()));
      ps.setTimestamp(2, Timestamp.from(clock.instant()));
      ps.setObject(3, messageId);
      ps.setString(4, recipient);
      if (ps.executeUpdate() != 1) {
        return false;
      }
    }
    // the escalator stops watching it, and the response times count it
    DeadlineStore.acknowledged(c, messageId, recipient, clock.instant());
    return true;
  }
}
