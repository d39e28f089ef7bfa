package org.safehub.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pass's bookkeeping: when each message was sent and which recipients it still waits for, and
 * what arrived when. Publishers register a message before sending it (a copy may arrive before the
 * publish call returns); one delivery consumer reports arrivals. A message's latency samples count
 * if it was sent inside the measured window; throughput counts copies and completed messages that
 * arrived inside it.
 */
final class Tracker {

  private static final class Pending {
    final long sentNanos;
    final long sentWallMillis;
    final int expected;
    final boolean measured;
    int arrived; // written by the delivery consumer only

    Pending(long sentNanos, int expected, boolean measured) {
      this.sentNanos = sentNanos;
      this.sentWallMillis =
          System.currentTimeMillis() - (System.nanoTime() - sentNanos) / 1_000_000;
      this.expected = expected;
      this.measured = measured;
    }
  }

  final long windowStart;
  final long windowEnd;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Latencies latencies = new Latencies();
  // the same latency split at the copy's Kafka record timestamp (when the hub's pipeline wrote it,
  // by the wall clock, in milliseconds): before it is the hub's ingress and pipeline, after it the
  // transaction's commit and the recipient's fetch
  private final Latencies toWritten = new Latencies();
  private final Latencies writtenToVisible = new Latencies();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();

  final LongAdder sent = new LongAdder();
  final LongAdder sentInWindow = new LongAdder();
  final LongAdder failed = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  final AtomicLong copies = new AtomicLong();
  final AtomicLong copiesInWindow = new AtomicLong();
  final AtomicLong copyBytesInWindow = new AtomicLong();
  final AtomicLong completed = new AtomicLong();
  final AtomicLong completedInWindow = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong unexpected = new AtomicLong();
  final AtomicLong unknown = new AtomicLong();

  Tracker(long windowStart, long windowEnd) {
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  boolean inWindow(long nanos) {
    return nanos - windowStart >= 0 && nanos - windowEnd < 0;
  }

  /**
   * Called before the message is sent; {@code sentNanos} is when it was (or, paced, was meant to
   * be) sent.
   */
  void register(String id, long sentNanos, int expectedMask) {
    boolean measured = inWindow(sentNanos);
    pending.put(id, new Pending(sentNanos, expectedMask, measured));
    sent.increment();
    if (measured) {
      sentInWindow.increment();
    }
  }

  /** The publish was refused or failed: nothing will arrive for it. */
  void failed(String id, String why) {
    pending.remove(id);
    failed.increment();
    failures.computeIfAbsent(why, k -> new LongAdder()).increment();
    signal();
  }

  /**
   * A copy of message {@code id} for the agency with index {@code recipient} arrived at {@code
   * nowNanos}.
   */
  void arrived(String id, int recipient, long nowNanos, int bytes) {
    arrived(id, recipient, nowNanos, bytes, -1, -1);
  }

  /**
   * As {@link #arrived(String, int, long, int)}, with the copy's record timestamp and the wall
   * clock at its arrival (milliseconds; -1 if unknown) for the latency split.
   */
  void arrived(
      String id, int recipient, long nowNanos, int bytes, long writtenMillis, long nowMillis) {
    Pending p = id == null ? null : pending.get(id);
    if (p == null) {
      unknown.incrementAndGet(); // from an earlier pass, or a duplicate after completion
      return;
    }
    int bit = 1 << recipient;
    if ((p.arrived & bit) != 0) {
      duplicates.incrementAndGet();
      return;
    }
    if ((p.expected & bit) == 0) {
      unexpected.incrementAndGet();
    }
    p.arrived |= bit;
    copies.incrementAndGet();
    boolean inWindow = inWindow(nowNanos);
    if (inWindow) {
      copiesInWindow.incrementAndGet();
      copyBytesInWindow.addAndGet(bytes);
    }
    if (p.measured) {
      synchronized (latencies) {
        latencies.add(nowNanos - p.sentNanos);
        if (writtenMillis >= 0 && nowMillis >= 0) {
          toWritten.add(Math.max(0, writtenMillis - p.sentWallMillis) * 1_000_000);
          writtenToVisible.add(Math.max(0, nowMillis - writtenMillis) * 1_000_000);
        }
      }
    }
    if ((p.arrived & p.expected) == p.expected) {
      pending.remove(id);
      completed.incrementAndGet();
      if (inWindow) {
        completedInWindow.incrementAndGet();
      }
      signal();
    }
  }

  /** Messages sent (or being sent) whose copies have not all arrived. */
  int outstanding() {
    return pending.size();
  }

  /**
   * Waits until fewer than {@code cap} messages are outstanding; false if {@code deadline} passes
   * first.
   */
  boolean awaitRoom(int cap, long deadlineNanos) {
    return awaitUntil(() -> pending.size() < cap, deadlineNanos);
  }

  /**
   * Waits until every registered message has all its copies; false if {@code deadline} passes
   * first.
   */
  boolean awaitDrained(long deadlineNanos) {
    return awaitUntil(pending::isEmpty, deadlineNanos);
  }

  Latencies.Summary latency() {
    synchronized (latencies) {
      return latencies.summary();
    }
  }

  /**
   * The split of {@link #latency()} at the copy's record timestamp: {@code [0]} publish (due) to
   * written by the hub, {@code [1]} written to visible; millisecond resolution.
   */
  Latencies.Summary[] latencySplit() {
    synchronized (latencies) {
      return new Latencies.Summary[] {toWritten.summary(), writtenToVisible.summary()};
    }
  }

  /** Copies still missing from messages that never completed. */
  long missingCopies() {
    long missing = 0;
    for (Pending p : pending.values()) {
      missing += Integer.bitCount(p.expected & ~p.arrived);
    }
    return missing;
  }

  /**
   * Recipients seen so far for a still-pending message (for the routing check), or -1 if it
   * completed.
   */
  int arrivedMask(String id) {
    Pending p = pending.get(id);
    return p == null ? -1 : p.arrived;
  }

  Map<String, Long> failureReasons() {
    Map<String, Long> out = new TreeMap<>();
    failures.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private boolean awaitUntil(java.util.function.BooleanSupplier condition, long deadlineNanos) {
    lock.lock();
    try {
      while (!condition.getAsBoolean()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // woken by progress; the timeout only bounds a missed signal
        progress.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
