package org.safehub.trail;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditEvent;

/**
 * The audit of refusals answered before any resource ran (on the event loop: a token refused, a
 * rate limit), which must not wait there for the database. They are queued and appended by one
 * thread, in batches of up to {@value #BATCH}, one transaction each. A burst of them (a flood's
 * first refusals of an audit window) so takes one database connection and one turn of the audit
 * writer lock per batch. Handing each to a worker thread of its own, as before, took a connection
 * per refusal: a burst of a few dozen could empty the pool, so that other work waited for
 * connections, and a refusal whose thread waited past the pool's acquisition timeout was never
 * recorded.
 *
 * <p>The queue is bounded ({@value #CAPACITY} events); the audit thinning ({@code
 * limits.RefusalLedger}) keeps a flood's one-by-one events far below it. A batch that cannot be
 * written is tried {@value #ATTEMPTS} times over about 4 s, then logged with its size and the
 * failure's class, never its content.
 */
@Singleton
public final class RefusalAudits {

  static final int CAPACITY = 10_000;
  static final int BATCH = 500;
  static final int ATTEMPTS = 5;

  private static final Logger LOG = Logger.getLogger(RefusalAudits.class);
  private static final Duration FIRST_RETRY_AFTER = Duration.ofMillis(250);

  private final BlockingQueue<AuditEvent> queue;
  private final Consumer<List<AuditEvent>> writer;
  private final Thread thread;
  private final AtomicLong lost = new AtomicLong();
  private volatile boolean stopping;

  @Inject
  public RefusalAudits(AuditTrail trail) {
    this(trail::record, CAPACITY);
  }

  /** With {@code writer} appending each batch in one transaction (throwing if it cannot). */
  RefusalAudits(Consumer<List<AuditEvent>> writer, int capacity) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, "safehub-refusal-audit");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues the refusal's event for the writer thread. False if the queue is full: the event is not
   * recorded, and counted in the log.
   */
  public boolean offer(AuditEvent event) {
    if (!stopping && queue.offer(event)) {
      return true;
    }
    long n = lost.incrementAndGet();
    if (Long.bitCount(n) == 1) { // 1, 2, 4, 8…: a full queue must not flood the log as well
      LOG.errorf(
          "refusal audit queue full or stopped: %d refusal audit event(s) not recorded so far", n);
    }
    return false;
  }

  /** Refusal events not recorded because the queue was full or stopping: for tests. */
  long lost() {
    return lost.get();
  }

  /** Events waiting for the writer: for tests. */
  int queued() {
    return queue.size();
  }

  private void run() {
    while (true) {
      AuditEvent first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        first = null;
        stopping = true;
      }
      if (first == null) {
        if (stopping && queue.isEmpty()) {
          return;
        }
        continue;
      }
      List<AuditEvent> batch = new ArrayList<>(Math.min(BATCH, queue.size() + 1));
      batch.add(first);
      queue.drainTo(batch, BATCH - 1);
      write(batch);
    }
  }

  private void write(List<AuditEvent> batch) {
    for (int attempt = 1; ; attempt++) {
      try {
        writer.accept(batch);
        return;
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || stopping) {
          LOG.errorf(
              "%d refusal audit event(s) could not be recorded (%s%s)",
              batch.size(),
              e.getClass().getSimpleName(),
              e.getCause() == null ? "" : ", caused by " + e.getCause().getClass().getSimpleName());
          return;
        }
      }
      try {
        // 0.25, 0.5, 1 and 2 s: a stall of the database (a held writer lock, a pool waiting out
        // its time-out) is waited out here, where it holds up no request
        Thread.sleep(FIRST_RETRY_AFTER.toMillis() << (attempt - 1));
      } catch (InterruptedException e) {
        stopping = true;
      }
    }
  }

  /**
   * Writes what is queued, then stops taking events (at shutdown, before the audit log closes);
   * waits up to {@code wait}.
   */
  void stop(Duration wait) {
    stopping = true;
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!queue.isEmpty()) {
      LOG.errorf("%d refusal audit event(s) not recorded at shutdown", queue.size());
    }
  }

  void onStop(@Observes @Priority(1) ShutdownEvent ev) {
    stop(Duration.ofSeconds(10));
  }
}
