package org.safehub.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.safehub.copy.WithholdReason;

/**
 * The pipeline's delivery decisions for a batch as SQL sent in one round trip: the copies' decided
 * states ({@link #DECIDE}), the deadlines to watch ({@link DeadlineStore#WATCH}) and the recipients
 * still pending marked not routed ({@link #NOT_ROUTED}), as statements sent together that
 * PostgreSQL runs one after another, in that order, in the caller's transaction. Each writes rows
 * from arrays ({@code unnest}), so each shape is one fixed statement whatever the batch's size.
 */
final class DeliveryDecisions {

  /**
   * The decided state of each copy (parameters: the time, then one array per column); an
   * acknowledged copy stays acknowledged, and a decision that names no route keeps the one known.
   */
  static final String DECIDE =
      "insert into delivery (message_id, recipient, state, reason, updated_at, deadline, via)"
          + " select u.message_id, u.recipient, u.state, u.reason, ?::timestamptz,"
          + " u.deadline::timestamptz, u.via"
          + " from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
          + " as u(message_id, recipient, state, reason, deadline, via)"
          + " on conflict (message_id, recipient) do update set state = excluded.state,"
          + " reason = excluded.reason, updated_at = excluded.updated_at,"
          + " deadline = excluded.deadline, via = coalesce(excluded.via, delivery.via)"
          + " where delivery.state <> 'acknowledged'";

  /**
   * The recipients of these messages still pending were not routed after all (parameters: the
   * reason, the time, the message ids).
   */
  static final String NOT_ROUTED =
      "update delivery set state = 'withheld', reason = ?, updated_at = ?::timestamptz,"
          + " deadline = null where message_id = any (?::uuid[]) and state = 'pending'";

  private DeliveryDecisions() {}

  /**
   * Writes the decisions ({@code decided}: one per copy), the deadlines of {@code watched} and the
   * not-routed mark of {@code messageIds}' leftover recipients, on {@code c}, in one round trip.
   * Any part with nothing to write is left out.
   */
  static void write(
      Connection c,
      Collection<DeliveryStatusStore.Outcome> decided,
      List<DeliveryStatusStore.Outcome> watched,
      Collection<UUID> messageIds,
      WithholdReason notRoutedReason,
      Timestamp now)
      throws SQLException {
    List<String> parts = new ArrayList<>(3);
    if (!decided.isEmpty()) {
      parts.add(DECIDE);
    }
    if (!watched.isEmpty()) {
      parts.add(DeadlineStore.WATCH);
    }
    if (!messageIds.isEmpty()) {
      parts.add(NOT_ROUTED);
    }
    if (parts.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(String.join("; ", parts))) {
      int next = 1;
      if (!decided.isEmpty()) {
        next = bindDecide(c, ps, next, decided, now);
      }
      if (!watched.isEmpty()) {
        next = DeadlineStore.bindWatch(c, ps, next, watched);
      }
      if (!messageIds.isEmpty()) {
        ps.setString(next, notRoutedReason.wire());
        ps.setTimestamp(next + 1, now);
        ps.setArray(next + 2, c.createArrayOf("uuid", messageIds.toArray()));
      }
      ps.execute();
    }
  }

  /** Sets {@link #DECIDE}'s seven parameters from {@code first} on; returns the next one. */
  static int bindDecide(
      Connection c,
      PreparedStatement ps,
      int first,
      Collection<DeliveryStatusStore.Outcome> decided,
      Timestamp now)
      throws SQLException {
    int n = decided.size();
    Object[] ids = new Object[n];
    String[] recipients = new String[n];
    String[] states = new String[n];
    String[] reasons = new String[n];
    String[] deadlines = new String[n];
    String[] vias = new String[n];
    int i = 0;
    for (DeliveryStatusStore.Outcome o : decided) {
      ids[i] = o.messageId();
      recipients[i] = o.recipient();
      states[i] = (o.delivered() ? DeliveryState.DELIVERED : DeliveryState.WITHHELD).wire();
      reasons[i] = o.delivered() ? null : o.reason().wire();
      deadlines[i] = o.deadline() == null ? null : o.deadline().toString();
      vias[i] = o.via() == null ? null : o.via().wire();
      i++;
    }
    ps.setTimestamp(first, now);
    ps.setArray(first + 1, c.createArrayOf("uuid", ids));
    ps.setArray(first + 2, c.createArrayOf("text", recipients));
    ps.setArray(first + 3, c.createArrayOf("text", states));
    ps.setArray(first + 4, c.createArrayOf("text", reasons));
    ps.setArray(first + 5, c.createArrayOf("text", deadlines));
    ps.setArray(first + 6, c.createArrayOf("text", vias));
    return first + 7;
  }
}
