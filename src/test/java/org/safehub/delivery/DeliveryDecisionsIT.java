package org.safehub.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;
import org.safehub.audit.AuditLog;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Priority;
import org.safehub.kafka.Topics;
import org.safehub.routing.Via;
import org.safehub.trail.AuditTrail;

/**
 * A pipeline batch's delivery record ({@link DeliveryStatusStore#record}) against a real
 * PostgreSQL: the decisions, the deadlines watched and the not-routed mark, sent together, land as
 * each of them would alone, in the one transaction of the batch.
 */
class DeliveryDecisionsIT {

  static final Instant ACCEPTED = Instant.parse("2026-12-03T09:00:00.250001Z");
  static final Instant DEADLINE = Instant.parse("2026-12-03T13:00:00.123456Z");

  private DataSource db;
  private DeliveryStatusStore store;
  private AuditTrail trail;
  private final UUID message = UUID.randomUUID();

  @BeforeEach
  void freshDatabase() throws SQLException {
    db = AuditDatabase.fresh();
    store = new DeliveryStatusStore(db, Clock.fixed(ACCEPTED, ZoneOffset.UTC));
    trail =
        new AuditTrail(
            new AuditLog(
                db, AuditDatabase.p256(), AuditDatabase.testSealer(), AuditLog.Settings.defaults()),
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
            new Topics("safehub"));
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into delivery (message_id, recipient, state, updated_at) values (?, ?, 'pending', now())")) {
      for (String r : List.of("demo-iss", "demo-csc", "demo-mash")) {
        ps.setObject(1, message);
        ps.setString(2, r);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static DeliveryStatusStore.Due due() {
    return new DeliveryStatusStore.Due(
        "demo-dvpp", "risk-disclosure", "CASE-1", Priority.URGENT, "E09000001", ACCEPTED);
  }

  private DeliveryStatusStore.Outcome delivered(String recipient, Via via) {
    return new DeliveryStatusStore.Outcome(message, recipient, true, null, DEADLINE, due(), via);
  }

  private void record(List<DeliveryStatusStore.Outcome> outcomes) throws SQLException {
    store.record(
        outcomes, Set.of(message), WithholdReason.NO_LONGER_ROUTED, List.of(), trail, c -> {});
  }

  /** state, reason, deadline, via of each copy, by recipient. */
  private List<List<Object>> rows() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select recipient, state, reason, deadline, via from delivery where message_id = ? order by recipient")) {
      ps.setObject(1, message);
      List<List<Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp d = rs.getTimestamp(4);
          List<Object> row = new ArrayList<>();
          row.add(rs.getString(1));
          row.add(rs.getString(2));
          row.add(rs.getString(3));
          row.add(d == null ? null : d.toInstant());
          row.add(rs.getString(5));
          out.add(row);
        }
      }
      return out;
    }
  }

  private static List<Object> row(
      String recipient, String state, String reason, Instant deadline, String via) {
    List<Object> row = new ArrayList<>();
    row.add(recipient);
    row.add(state);
    row.add(reason);
    row.add(deadline);
    row.add(via);
    return row;
  }

  private List<List<Object>> watched() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select recipient, sender, message_type, priority, area, case_ref, accepted_at, deadline, next_at"
                    + " from copy_deadline where message_id = ? order by recipient")) {
      ps.setObject(1, message);
      List<List<Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= 6; i++) {
            row.add(rs.getString(i));
          }
          for (int i = 7; i <= 9; i++) {
            Timestamp t = rs.getTimestamp(i);
            row.add(t == null ? null : t.toInstant());
          }
          out.add(row);
        }
      }
      return out;
    }
  }

  private void update(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, message);
      ps.executeUpdate();
    }
  }

  @Test
  void decisionsWatchedDeadlinesAndTheNotRoutedMarkLandTogether() throws SQLException {
    record(
        List.of(
            delivered("demo-iss", Via.CASE),
            new DeliveryStatusStore.Outcome(
                message, "demo-csc", false, WithholdReason.NO_CONSENT, null, null, Via.EXPLICIT)));

    assertEquals(
        List.of(
            row("demo-csc", "withheld", "no-consent", null, "explicit"),
            row("demo-iss", "delivered", null, DEADLINE, "case"),
            row("demo-mash", "withheld", "no-longer-routed", null, null)),
        rows());
    assertEquals(
        List.of(
            List.of(
                "demo-iss",
                "demo-dvpp",
                "risk-disclosure",
                "urgent",
                "E09000001",
                "CASE-1",
                ACCEPTED,
                DEADLINE,
                DEADLINE)),
        watched());
  }

  @Test
  void anAcknowledgedCopyStaysAcknowledgedAndADecisionWithoutARouteKeepsTheOneKnown()
      throws SQLException {
    record(List.of(delivered("demo-iss", Via.CASE), delivered("demo-csc", Via.SUBSCRIPTION)));
    update(
        "update delivery set state = 'acknowledged' where message_id = ? and recipient = 'demo-iss'");

    record(List.of(delivered("demo-iss", null), delivered("demo-csc", null)));

    List<List<Object>> rows = rows();
    assertEquals(row("demo-csc", "delivered", null, DEADLINE, "subscription"), rows.get(0));
    assertEquals(row("demo-iss", "acknowledged", null, DEADLINE, "case"), rows.get(1));
  }

  @Test
  void theSameCopyTwiceInOneBatchIsOneDecisionAndOneWatch() throws SQLException {
    record(
        List.of(
            delivered("demo-iss", Via.CASE),
            delivered("demo-iss", null),
            delivered("demo-csc", Via.EXPLICIT)));

    assertEquals(row("demo-iss", "delivered", null, DEADLINE, "case"), rows().get(1));
    assertEquals(2, watched().size());
  }

  @Test
  void aRetriedBatchLeavesTheWatchAsTheEscalatorLeftIt() throws SQLException {
    record(List.of(delivered("demo-iss", Via.CASE)));
    update("update copy_deadline set next_at = null, escalations = 1 where message_id = ?");

    record(List.of(delivered("demo-iss", Via.CASE)));

    assertNull(watched().get(0).get(8), "the retried batch does not watch the copy again");
  }

  @Test
  void nothingIsWrittenWhenTheRestOfTheBatchsTransactionFails() throws SQLException {
    SQLException failed =
        assertThrows(
            SQLException.class,
            () ->
                store.record(
                    List.of(delivered("demo-iss", Via.CASE)),
                    Set.of(message),
                    WithholdReason.NO_LONGER_ROUTED,
                    List.of(),
                    trail,
                    c -> {
                      throw new SQLException("the referrals could not be recorded");
                    }));

    assertEquals("the referrals could not be recorded", failed.getMessage());
    assertEquals(
        List.of(
            row("demo-csc", "pending", null, null, null),
            row("demo-iss", "pending", null, null, null),
            row("demo-mash", "pending", null, null, null)),
        rows());
    assertEquals(List.of(), watched());
  }

  @Test
  void aBatchWithNothingToDecideWritesOnlyTheNotRoutedMark() throws SQLException {
    record(List.of());

    for (List<Object> r : rows()) {
      assertEquals(row((String) r.get(0), "withheld", "no-longer-routed", null, null), r);
    }
    assertEquals(List.of(), watched());
  }
}
