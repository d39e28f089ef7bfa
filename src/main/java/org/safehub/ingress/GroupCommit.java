package org.safehub.ingress;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.audit.AuditEvent;
import org.safehub.config.SafehubConfig;
import org.safehub.db.Transactions;
import org.safehub.trail.AuditTrail;

/**
 * Group commit for publishing: the claims and confirmations of every request in flight are taken
 * together, in one PostgreSQL transaction (one commit, one flush to disk, one turn of the audit
 * writer lock) by a single thread, instead of two transactions per request. Each caller waits for
 * the commit that holds its own work, so an answer still means "written down"; a group that fails
 * is taken again one request at a time, so one bad request fails alone.
 */
@Singleton
public final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(GroupCommit.class);

  /** The most operations (a request's claim or confirmation, or a batch's) one commit takes. */
  static final int MAX_GROUP = 256;

  private final DataSource ds;
  private final ReceiptStore receipts;
  private final AgencyStatusStore agencyStatus;
  private final AuditTrail trail;
  private final long waitMillis;
  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  private sealed interface Op permits ClaimOp, ConfirmOp {}

  /** Claims taken together, in one transaction: one request's, or a whole batch's. */
  private record ClaimOp(
      List<ReceiptStore.ClaimRequest> requests, CompletableFuture<List<ReceiptStore.Claim>> done)
      implements Op {}

  /**
   * {@code owner} matters for a consent change only: 0 queued, 1 taken into a transaction, 2 given
   * up by its caller. Whichever side moves it from 0 first decides, so a change whose caller
   * stopped waiting is never applied, and a caller whose change is being applied waits for the
   * outcome.
   */
  private record ConfirmOp(
      List<ReceiptStore.ConfirmRequest> requests, CompletableFuture<Void> done, AtomicInteger owner)
      implements Op {
    boolean consent() {
      return requests.size() == 1 && requests.get(0).change() != null;
    }
  }

  /** Waiting at most {@code max(5 s, safehub.ingress.produce-timeout-ms)} for a group's commit. */
  @Inject
  public GroupCommit(
      DataSource ds,
      ReceiptStore receipts,
      AgencyStatusStore agencyStatus,
      AuditTrail trail,
      SafehubConfig config) {
    this(ds, receipts, agencyStatus, trail, Math.max(5000, config.ingress().produceTimeoutMs()));
  }

  /**
   * @param waitMillis how long a caller waits for its group's commit before it is told the database
   *     is unavailable; its claim is then dropped (or given back), its confirmation still made,
   *     except a consent change's, which is then never made (a transaction that already took it is
   *     waited for instead)
   */
  public GroupCommit(
      DataSource ds,
      ReceiptStore receipts,
      AgencyStatusStore agencyStatus,
      AuditTrail trail,
      long waitMillis) {
    this(ds, receipts, agencyStatus, trail, waitMillis, true);
  }

  /**
   * With {@code start} false no thread commits: a test forms a group and commits it with {@link
   * #commitQueued()}.
   */
  GroupCommit(
      DataSource ds,
      ReceiptStore receipts,
      AgencyStatusStore agencyStatus,
      AuditTrail trail,
      long waitMillis,
      boolean start) {
    this.ds = ds;
    this.receipts = receipts;
    this.agencyStatus = agencyStatus;
    this.trail = trail;
    this.waitMillis = waitMillis;
    this.thread = new Thread(this::run, "safehub-group-commit");
    thread.setDaemon(true);
    if (start) {
      thread.start();
    }
  }

  /** Whether the committing thread runs: without it every publish would wait and then get 503. */
  public boolean alive() {
    return thread.isAlive();
  }

  /** Requests waiting for a transaction. */
  public int queued() {
    return queue.size();
  }

  /** Commits every queued request as one group (for tests that build a group on purpose). */
  void commitQueued() {
    List<Op> group = new ArrayList<>();
    queue.drainTo(group, MAX_GROUP);
    if (!group.isEmpty()) {
      commit(group);
    }
  }

  /** Claims a messageId, with the other requests in flight (see {@link ReceiptStore#claimAll}). */
  public ReceiptStore.Claim claim(ReceiptStore.ClaimRequest request) throws SQLException {
    return claimAll(List.of(request)).get(0);
  }

  /**
   * Claims every messageId of a batch in one transaction (with the other requests in flight); the
   * results are in the order of {@code requests}.
   */
  public List<ReceiptStore.Claim> claimAll(List<ReceiptStore.ClaimRequest> requests)
      throws SQLException {
    CompletableFuture<List<ReceiptStore.Claim>> done = new CompletableFuture<>();
    submit(new ClaimOp(List.copyOf(requests), done));
    return await(done);
  }

  /**
   * Confirms every accepted message of a batch in one transaction (with the other requests in
   * flight). A consent change is confirmed on its own ({@link #confirm}), never here.
   */
  public void confirmAll(List<ReceiptStore.ConfirmRequest> requests) throws SQLException {
    if (requests.stream().anyMatch(r -> r.change() != null)) {
      throw new IllegalArgumentException("a consent change is confirmed on its own");
    }
    if (requests.isEmpty()) {
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(new ConfirmOp(List.copyOf(requests), done, new AtomicInteger()));
    await(done);
  }

  /**
   * Confirms an accepted message, together with the other requests in flight (see {@link
   * ReceiptStore#confirmAll}).
   */
  public void confirm(ReceiptStore.ConfirmRequest request) throws SQLException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ConfirmOp op = new ConfirmOp(List.of(request), done, new AtomicInteger());
    submit(op);
    if (!op.consent()) {
      await(done);
      return;
    }
    boolean interrupted = false;
    try {
      done.get(waitMillis, TimeUnit.MILLISECONDS);
      return;
    } catch (InterruptedException | TimeoutException e) {
      interrupted = e instanceof InterruptedException;
      if (op.owner().compareAndSet(0, 2)) {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        throw new SQLException(
            "the database did not answer in time"); // no transaction will take it now
      }
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
    // a transaction holds the change: its outcome, not the caller's patience, decides the answer
    try {
      while (true) {
        try {
          done.get();
          return;
        } catch (InterruptedException again) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw unwrap(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static SQLException unwrap(ExecutionException e) {
    return e.getCause() instanceof SQLException sql
        ? sql
        : new SQLException("the group transaction failed", e.getCause());
  }

  private void submit(Op op) throws SQLException {
    if (!running) {
      throw new SQLException("the hub is stopping");
    }
    queue.add(op);
  }

  private <T> T await(CompletableFuture<T> done) throws SQLException {
    try {
      return done.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      done.cancel(
          false); // the caller is gone: its claim is skipped, or given back if already committed
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for the database");
    } catch (TimeoutException e) {
      done.cancel(false);
      throw new SQLException("the database did not answer in time");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException("the group transaction failed", e.getCause());
    }
  }

  private void run() {
    List<Op> group = new ArrayList<>(MAX_GROUP);
    while (running) {
      try {
        Op first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
        commit(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // commit() completes every future itself; this only keeps the thread alive
        LOG.errorf("group commit: %s", e.getClass().getSimpleName());
      } finally {
        group.clear();
      }
    }
    failAll(new SQLException("the hub is stopping"));
  }

  /**
   * Commits {@code group} in one transaction, or, if that fails, each request in a transaction of
   * its own.
   */
  private void commit(List<Op> all) {
    // a claim whose caller stopped waiting was answered 503: it must not take effect now. A
    // confirmation
    // still must: its message is already in Kafka, and the receipt and audit event should say so.
    // A consent change whose caller gave up is not taken at all: its message was refused, and so is
    // the change.
    List<Op> group =
        all.stream()
            .filter(op -> !(op instanceof ClaimOp c && c.done().isDone()))
            .filter(
                op ->
                    !(op instanceof ConfirmOp f
                        && f.consent()
                        && f.owner().get() != 1
                        && !f.owner().compareAndSet(0, 1)))
            .toList();
    if (group.isEmpty()) {
      return;
    }
    List<AuditEvent> stored;
    try {
      stored = inOneTransaction(group);
    } catch (SQLException | RuntimeException e) {
      if (group.size() > 1) {
        for (Op op : group) {
          commit(List.of(op));
        }
        return;
      }
      SQLException failure =
          e instanceof SQLException sql ? sql : new SQLException("group transaction failed", e);
      fail(group.get(0), failure);
      return;
    }
    try {
      trail.forward(stored);
    } catch (RuntimeException e) {
      LOG.warnf("audit events not forwarded to the audit topic (%s)", e.getClass().getSimpleName());
    }
  }

  private List<AuditEvent> inOneTransaction(List<Op> group) throws SQLException {
    List<ClaimOp> claims = new ArrayList<>();
    List<ConfirmOp> confirms = new ArrayList<>();
    for (Op op : group) {
      if (op instanceof ClaimOp c) {
        claims.add(c);
      } else {
        confirms.add((ConfirmOp) op);
      }
    }
    Committed committed =
        Transactions.inTransaction(
            ds,
            c -> {
              List<ReceiptStore.Claim> claimed = List.of();
              List<AuditEvent> stored =
                  new ArrayList<>(); // a referral's case opened with its claim
              if (!claims.isEmpty()) {
                Set<String> suspended = agencyStatus.suspended(c);
                claimed =
                    receipts.claimAll(
                        c,
                        claims.stream().flatMap(op -> op.requests().stream()).toList(),
                        suspended,
                        stored);
              }
              stored.addAll(
                  receipts.confirmAll(
                      c, confirms.stream().flatMap(op -> op.requests().stream()).toList()));
              return new Committed(claimed, stored);
            });
    int from = 0;
    for (ClaimOp op : claims) {
      List<ReceiptStore.Claim> results =
          committed.claimed().subList(from, from + op.requests().size());
      from += op.requests().size();
      if (!op.done().complete(results)) {
        // its caller gave up while this transaction ran and answered 503: give the messageIds back
        for (int i = 0; i < results.size(); i++) {
          if (results.get(i) instanceof ReceiptStore.Claim.Claimed) {
            receipts.release(op.requests().get(i).messageId());
          }
        }
      }
    }
    confirms.forEach(op -> op.done().complete(null));
    return committed.stored();
  }

  /**
   * What one group's transaction committed: the claims' results, in order, and the confirmations'
   * audit events.
   */
  private record Committed(List<ReceiptStore.Claim> claimed, List<AuditEvent> stored) {}

  private static void fail(Op op, SQLException failure) {
    if (op instanceof ClaimOp c) {
      c.done().completeExceptionally(failure);
    } else {
      ((ConfirmOp) op).done().completeExceptionally(failure);
    }
  }

  private void failAll(SQLException failure) {
    Op op;
    while ((op = queue.poll()) != null) {
      fail(op, failure);
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
    failAll(new SQLException("the hub is stopping"));
  }
}
