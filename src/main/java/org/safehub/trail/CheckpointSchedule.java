package org.safehub.trail;

import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditLog;

/**
 * Signs an audit checkpoint when one is due (every N events or T seconds, whichever comes first).
 */
@Singleton
public class CheckpointSchedule {

  private static final Logger LOG = Logger.getLogger(CheckpointSchedule.class);

  private final AuditLog log;

  @Inject
  public CheckpointSchedule(AuditLog log) {
    this.log = log;
  }

  @Scheduled(
      every = "${safehub.audit.checkpoint-interval:PT10S}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void checkpoint() {
    try {
      log.maybeCheckpoint();
    } catch (RuntimeException e) {
      LOG.warnf("audit checkpoint not signed this time (%s)", e.getClass().getSimpleName());
    }
  }
}
