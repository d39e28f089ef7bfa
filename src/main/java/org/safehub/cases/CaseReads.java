package org.safehub.cases;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.safehub.config.SafehubConfig;

/**
 * The case reads of single publishes in flight, taken together: one thread reads every caseRef
 * queued since its last statement in one statement ({@link CaseLookup#findAll}), instead of one
 * statement, one pooled connection and one round trip per request. A read is made after its request
 * was queued, so each caller sees its case at least as fresh as a read of its own would have
 * (neither locks: the accepting transaction locks a case it opens). At low load a group is one
 * request, which then waits one hand-off longer than it would alone.
 */
@Singleton
public final class CaseReads implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CaseReads.class);

  /** The most caseRefs one statement reads. */
  static final int MAX_GROUP = 256;

  private record Read(String caseRef, CompletableFuture<Optional<CaseFile>> done) {}

  private final CaseLookup store;
  private final long waitMillis;
  private final BlockingQueue<Read> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Waiting at most {@code max(5 s, safehub.ingress.produce-timeout-ms)} for a read. */
  @Inject
  public CaseReads(CaseStore store, SafehubConfig config) {
    this(store, Math.max(5000, config.ingress().produceTimeoutMs()));
  }

  /**
   * @param waitMillis how long a caller waits for its group's statement before it is told the case
   *     store is unavailable
   */
  public CaseReads(CaseLookup store, long waitMillis) {
    this.store = store;
    this.waitMillis = waitMillis;
    this.thread = new Thread(this::run, "safehub-case-reads");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the reading thread runs: without it every single publish would wait and get 503. */
  public boolean alive() {
    return thread.isAlive();
  }

  /** Reads waiting for a statement. */
  public int queued() {
    return queue.size();
  }

  /** The case of {@code caseRef}, read with the other reads in flight. */
  public Optional<CaseFile> find(String caseRef) throws SQLException {
    if (!running) {
      throw new SQLException("the hub is stopping");
    }
    CompletableFuture<Optional<CaseFile>> done = new CompletableFuture<>();
    queue.add(new Read(caseRef, done));
    try {
      return done.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the case store");
    } catch (TimeoutException e) {
      throw new SQLException("the case store did not answer in time");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof SQLException sql
          ? sql
          : new SQLException("the case read failed", e.getCause());
    }
  }

  private void run() {
    List<Read> group = new ArrayList<>(MAX_GROUP);
    while (running) {
      try {
        Read first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
        read(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        group.clear();
      }
    }
    failAll();
  }

  /** Reads the group's cases in one statement and answers each caller; a failure fails them all. */
  private void read(List<Read> group) {
    Map<String, CaseFile> found;
    try {
      found = store.findAll(group.stream().map(Read::caseRef).toList());
    } catch (SQLException | RuntimeException e) {
      LOG.warnf("case reads: %s", e.getClass().getSimpleName());
      SQLException failure =
          e instanceof SQLException sql ? sql : new SQLException("the case read failed", e);
      group.forEach(r -> r.done().completeExceptionally(failure));
      return;
    }
    group.forEach(r -> r.done().complete(Optional.ofNullable(found.get(r.caseRef()))));
  }

  private void failAll() {
    Read r;
    while ((r = queue.poll()) != null) {
      r.done().completeExceptionally(new SQLException("the hub is stopping"));
    }
  }

  @Override
  @PreDestroy
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failAll();
  }
}
