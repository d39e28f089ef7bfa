package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditDatabase;
import org.safehub.audit.AuditLog;
import org.safehub.audit.JustificationSealer;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.kafka.Topics;
import org.safehub.trail.AuditTrail;

/**
 * A guard alert is recorded in the audit log (real PostgreSQL) before the guarded copy goes on, and
 * a copy whose alert cannot be recorded is withheld, never passed with its alert dropped. The stage
 * is wired to the audit log exactly as the hub wires it ({@link GuardAlertRecorder}).
 */
class GuardAlertAuditIT {

  @Test
  void aGuardAlertThatCannotBeRecordedWithholdsTheCopy() throws SQLException {
    // Given a policy the guard must overrule, and an audit log that refuses guard alerts (as a
    // failing database would)
    DataSource db = AuditDatabase.fresh();
    AuditLog log =
        new AuditLog(
            db, AuditDatabase.p256(), JustificationSealer.NONE, AuditLog.Settings.defaults());
    AuditTrail trail =
        new AuditTrail(
            log,
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
            new Topics("safehub"));
    CopyStage stage =
        Fixtures.redactAndGuard(
            t -> DataCategory.known(), new GuardAlertRecorder(trail, Clock.systemUTC()));
    Copy copy =
        Fixtures.copyFor(
            Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json"),
            Fixtures.PROGRAMME);
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "create function refuse_guard_alerts() returns trigger language plpgsql as $$ begin"
              + " if new.action = 'guard-alert' then raise exception 'audit unavailable'; end if; return new; end $$");
      s.execute(
          "create trigger refuse_guard_alerts before insert on audit_event for each row execute function refuse_guard_alerts()");
    }
    // When the guard removes the victim's location and the alert cannot be written
    StageOutcome refused = stage.apply(copy);
    // Then the copy is withheld and nothing was recorded
    assertEquals(new StageOutcome.Withhold(WithholdReason.POLICY_ERROR), refused);
    assertEquals(0, log.size());
    // And once the log takes it again, the alert is recorded and the guarded copy passes
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop trigger refuse_guard_alerts on audit_event");
    }
    assertInstanceOf(StageOutcome.Pass.class, stage.apply(copy));
    assertEquals(
        List.of(AuditAction.GUARD_ALERT),
        log.query(AuditLog.Filter.all()).events().stream().map(e -> e.action()).toList());
  }
}
