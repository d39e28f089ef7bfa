package org.safehub.cases;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.safehub.config.SafehubConfig;

/**
 * The case reads of single publishes in flight, taken together. A read that finds no statement in
 * flight makes its own, on its own thread, exactly as a lone read always did. A read that arrives
 * while one runs waits; when the statement ends, every read that waited meanwhile is read in one
 * statement ({@link CaseLookup#findAll}), made by the first of them for all. So at low load nothing
 * changes, and at the peak a few statements, connections and round trips serve every request in
 * flight. Each read is made after its request arrived, so a caller sees its case at least as fresh
 * as a read of its own would have shown it (neither locks: the accepting transaction locks a case
 * it opens). There is no thread of its own to fail.
 */
@Singleton
public final class CaseReads {

  /** The most caseRefs one statement reads. */
  static final int MAX_GROUP = 256;

  /** What a waiting read is told: its case, or that it now reads {@code group} for all of them. */
  private sealed interface Answer permits Found, Lead {}

  private record Found(Optional<CaseFile> file) implements Answer {}

  private record Lead(List<Read> group) implements Answer {}

  private record Read(String caseRef, CompletableFuture<Answer> answer) {}

  private final CaseLookup store;
  private final long waitMillis;
  private final Object lock = new Object();

  /** Whether a statement is in flight; guarded by {@link #lock}. */
  private boolean reading;

  /** Reads waiting for the statement in flight to end, oldest first; guarded by {@link #lock}. */
  private final List<Read> waiting = new ArrayList<>();

  /** Waiting at most {@code max(5 s, safehub.ingress.produce-timeout-ms)} for a statement. */
  @Inject
  public CaseReads(CaseStore store, SafehubConfig config) {
    this(store, Math.max(5000, config.ingress().produceTimeoutMs()));
  }

  /**
   * @param waitMillis how long a read waits for another's statement before it is told the case
   *     store is unavailable
   */
  public CaseReads(CaseLookup store, long waitMillis) {
    this.store = store;
    this.waitMillis = waitMillis;
  }

  /** Reads waiting for the statement in flight. */
  public int waiting() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  /**
   * The case of {@code caseRef}, read alone or with the other reads in flight; a {@link
   * SQLException} if the case store cannot be read or did not answer in time.
   */
  public Optional<CaseFile> find(String caseRef) throws SQLException {
    Read me = new Read(caseRef, new CompletableFuture<>());
    boolean alone;
    synchronized (lock) {
      alone = !reading;
      if (alone) {
        reading = true;
      } else {
        waiting.add(me);
      }
    }
    if (alone) {
      return lead(me, List.of(me));
    }
    Answer answer = await(me);
    if (answer instanceof Found found) {
      return found.file();
    }
    return lead(me, ((Lead) answer).group());
  }

  /**
   * Reads {@code group} in one statement, answers every other read of it, hands the reads that
   * waited meanwhile to the first of them, and returns {@code me}'s case. Every other read of the
   * group is answered whatever happens, an {@link Error} included, so none waits for nothing.
   */
  private Optional<CaseFile> lead(Read me, List<Read> group) throws SQLException {
    try {
      Map<String, CaseFile> found =
          group.size() == 1
              ? store.find(me.caseRef()).map(f -> Map.of(me.caseRef(), f)).orElse(Map.of())
              : store.findAll(group.stream().map(Read::caseRef).toList());
      group.stream()
          .filter(r -> r != me)
          .forEach(
              r -> r.answer().complete(new Found(Optional.ofNullable(found.get(r.caseRef())))));
      return Optional.ofNullable(found.get(me.caseRef()));
    } catch (Throwable t) { // an Error too: every other read of the group must be answered
      SQLException failure = failure(t);
      group.stream().filter(r -> r != me).forEach(r -> r.answer().completeExceptionally(failure));
      if (t instanceof Error error) {
        throw error;
      }
      throw failure;
    } finally {
      handOver();
    }
  }

  /**
   * Gives the reads that waited to the first of them, or marks that no statement is in flight. The
   * group is handed under the lock, so a read that gives up sees whether it must read it.
   */
  private void handOver() {
    synchronized (lock) {
      if (waiting.isEmpty()) {
        reading = false;
        return;
      }
      List<Read> taken = waiting.subList(0, Math.min(waiting.size(), MAX_GROUP));
      List<Read> next = List.copyOf(taken);
      taken.clear();
      next.get(0).answer().complete(new Lead(next));
    }
  }

  /** Waits for a waiting read's answer: its case, a failure, or a group to read. */
  private Answer await(Read me) throws SQLException {
    try {
      return me.answer().get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return giveUp(me, "the case store did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return giveUp(me, "interrupted while waiting for the case store");
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
  }

  /**
   * A read that stops waiting leaves the queue and is refused; but one already answered takes its
   * answer, and one handed a group reads it, so no group is left without a reader. A read inside a
   * group another is reading is refused too; its answer, when it comes, goes nowhere.
   */
  private Answer giveUp(Read me, String reason) throws SQLException {
    synchronized (lock) {
      if (!waiting.remove(me) && me.answer().isDone()) {
        try {
          return me.answer().join();
        } catch (CompletionException e) {
          throw failure(e.getCause());
        }
      }
    }
    throw new SQLException(reason);
  }

  private static SQLException failure(Throwable cause) {
    return cause instanceof SQLException sql
        ? sql
        : new SQLException("the case read failed", cause);
  }
}
