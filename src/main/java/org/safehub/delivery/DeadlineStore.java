package org.safehub.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.safehub.envelope.Priority;

/**
 * The copies the hub watches for a missed deadline ({@code copy_deadline}): written with their
 * delivery decision, claimed by the escalator when due ({@code FOR UPDATE SKIP LOCKED}, so two hub
 * instances never take the same copy), closed when acknowledged. Content-free.
 */
public final class DeadlineStore {

  /**
   * The escalator's poll (parameters: now, limit): the copies due, earliest first, locked, skipping
   * those another transaction holds; it reads the partial index {@code copy_deadline_due}.
   */
  public static final String CLAIM =
      "select w.message_id, w.recipient, w.sender, w.message_type, w.priority, w.area, w.case_ref,"
          + " w.deadline, w.escalations, coalesce(d.state = 'delivered', false),"
          + " coalesce(d.via = 'case', false)"
          + " from copy_deadline w left join delivery d"
          + " on d.message_id = w.message_id and d.recipient = w.recipient"
          + " where w.next_at is not null and w.next_at <= ?"
          + " order by w.next_at limit ? for update of w skip locked";

  private DeadlineStore() {}

  /** A copy due for a look by the escalator, locked by the claiming transaction. */
  public record Claimed(
      UUID messageId,
      String recipient,
      String sender,
      String type,
      Priority priority,
      String area,
      String caseRef,
      Instant deadline,
      int escalations,
      boolean stillDelivered,
      boolean caseTied) {
    public Claimed {
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(recipient, "recipient");
    }
  }

  /**
   * Starts watching copies (parameters: one array per column, the deadline also the first time to
   * look); a retried batch finds its rows there already and leaves them as they are (the deadline
   * is the same: it counts from the receipt's accepted time). Sent with the batch's decisions
   * ({@link DeliveryDecisions}).
   */
  static final String WATCH =
      "insert into copy_deadline (message_id, recipient, sender, message_type, priority, area,"
          + " case_ref, accepted_at, deadline, next_at)"
          + " select u.message_id, u.recipient, u.sender, u.message_type, u.priority, u.area,"
          + " u.case_ref, u.accepted_at::timestamptz, u.deadline::timestamptz,"
          + " u.deadline::timestamptz"
          + " from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
          + " ?::text[], ?::text[], ?::text[])"
          + " as u(message_id, recipient, sender, message_type, priority, area, case_ref,"
          + " accepted_at, deadline)"
          + " on conflict (message_id, recipient) do nothing";

  /** The delivered copies of {@code outcomes} that have a deadline and its facts: to watch. */
  static List<DeliveryStatusStore.Outcome> watched(
      Collection<DeliveryStatusStore.Outcome> outcomes) {
    List<DeliveryStatusStore.Outcome> out = new ArrayList<>();
    for (DeliveryStatusStore.Outcome o : outcomes) {
      if (o.delivered() && o.deadline() != null && o.due() != null) {
        out.add(o);
      }
    }
    return out;
  }

  /**
   * Sets {@link #WATCH}'s nine parameters from {@code first} on, for copies {@link #watched} chose;
   * returns the next one.
   */
  static int bindWatch(
      Connection c, PreparedStatement ps, int first, List<DeliveryStatusStore.Outcome> watched)
      throws SQLException {
    int n = watched.size();
    Object[] ids = new Object[n];
    String[][] text = new String[8][n];
    for (int i = 0; i < n; i++) {
      DeliveryStatusStore.Outcome o = watched.get(i);
      DeliveryStatusStore.Due d = o.due();
      ids[i] = o.messageId();
      text[0][i] = o.recipient();
      text[1][i] = d.sender();
      text[2][i] = d.type();
      text[3][i] = d.priority().wire();
      text[4][i] = d.area();
      text[5][i] = d.caseRef();
      text[6][i] = d.acceptedAt().toString();
      text[7][i] = o.deadline().toString();
    }
    ps.setArray(first, c.createArrayOf("uuid", ids));
    for (int k = 0; k < text.length; k++) {
      ps.setArray(first + 1 + k, c.createArrayOf("text", text[k]));
    }
    return first + 1 + text.length;
  }

  /** The copy was acknowledged at {@code at} (the hub's clock): no more escalation. */
  static void acknowledged(Connection c, UUID messageId, String recipient, Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update copy_deadline set acknowledged_at = coalesce(acknowledged_at, ?), next_at = null"
                + " where message_id = ? and recipient = ?")) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setObject(2, messageId);
      ps.setString(3, recipient);
      ps.executeUpdate();
    }
  }

  /**
   * Claims at most {@code limit} copies due at {@code now}, earliest first, locking them for the
   * caller's transaction; rows another transaction holds are skipped, not waited for. Reads only
   * the partial index of rows still watched.
   */
  public static List<Claimed> claimDue(Connection c, Instant now, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setInt(2, limit);
      List<Claimed> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Claimed(
                  rs.getObject(1, UUID.class),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  Priority.parse(rs.getString(5)),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getTimestamp(8).toInstant(),
                  rs.getInt(9),
                  rs.getBoolean(10),
                  rs.getBoolean(11)));
        }
      }
      return out;
    }
  }

  /**
   * Records an escalation round of a claimed copy: one more round, the miss's time on the first,
   * and when to look again ({@code nextAt}; null for never).
   */
  public static void escalated(Connection c, Claimed copy, Instant now, Instant nextAt)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update copy_deadline set escalations = escalations + 1, missed_at = coalesce(missed_at, ?),"
                + " next_at = ? where message_id = ? and recipient = ?")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setTimestamp(2, nextAt == null ? null : Timestamp.from(nextAt));
      ps.setObject(3, copy.messageId());
      ps.setString(4, copy.recipient());
      ps.executeUpdate();
    }
  }

  /**
   * Stops watching a claimed copy without escalating it: acknowledged or withheld meanwhile, or its
   * recipient suspended (a copy for a suspended agency has no deadline).
   */
  public static void close(Connection c, Claimed copy) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update copy_deadline set next_at = null where message_id = ? and recipient = ?")) {
      ps.setObject(1, copy.messageId());
      ps.setString(2, copy.recipient());
      ps.executeUpdate();
    }
  }
}
