package org.safehub.policy;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.trail.AuditTrail;

/**
 * Records each safety-guard alert in the audit log before the guarded copy goes on. A failure to
 * record it is thrown, not swallowed, so the redaction stage withholds the copy: no copy leaves
 * whose alert went unrecorded.
 */
public final class GuardAlertRecorder implements Consumer<GuardAlert> {

  private final AuditTrail trail;
  private final Clock clock;

  public GuardAlertRecorder(AuditTrail trail, Clock clock) {
    this.trail = Objects.requireNonNull(trail, "trail");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void accept(GuardAlert alert) {
    trail.record(
        List.of(
            AuditEvent.builder(AuditAction.GUARD_ALERT, clock.instant())
                .message(alert.messageId(), null, null)
                .recipient(alert.recipient())
                .categories(alert.categories())
                .build()));
  }
}
