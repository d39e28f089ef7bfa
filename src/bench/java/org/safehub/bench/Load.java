package org.safehub.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * The two load shapes: a closed loop with a fixed number of publishes in flight, and an open loop
 * at a fixed rate.
 */
final class Load {

  /**
   * Publishes one message asynchronously and reports {@code null} (accepted) or a failure reason to
   * {@code done}.
   */
  interface Sender {
    void send(MessageMix.Message message, Consumer<String> done);
  }

  /** What a pass sent. */
  record Sent(long messages, double offeredPerSecond, long lateStarts) {}

  private static final long IN_FLIGHT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private Load() {}

  /**
   * Keeps {@code concurrency} publishes in flight until {@code endNanos}, holding back while {@code
   * backlogCap} or more accepted messages are undelivered. Returns once every publish has answered.
   */
  static Sent closedLoop(
      Sender sender,
      MessageMix mix,
      Tracker tracker,
      IntUnaryOperator expected,
      int concurrency,
      int backlogCap,
      long endNanos) {
    Semaphore permits = new Semaphore(concurrency);
    long begin = System.nanoTime();
    long count = 0;
    while (System.nanoTime() - endNanos < 0) {
      if (!acquire(permits, endNanos)) {
        break;
      }
      if (!tracker.awaitRoom(backlogCap, endNanos)) {
        permits.release();
        break;
      }
      MessageMix.Message m = mix.next();
      tracker.register(m.id(), System.nanoTime(), expected.applyAsInt(m.kind()));
      send(sender, m, tracker, permits);
      count++;
    }
    awaitAll(permits, concurrency);
    return new Sent(count, count * 1e9 / Math.max(1, endNanos - begin), 0);
  }

  /**
   * Starts a publish every 1/{@code perSecond} s from {@code startNanos} to {@code endNanos},
   * whether or not earlier ones have answered (at most {@code maxInFlight} at once; a start that
   * must wait for room is late, and its latency still counts from when it was due).
   */
  static Sent openLoop(
      Sender sender,
      MessageMix mix,
      Tracker tracker,
      IntUnaryOperator expected,
      double perSecond,
      int maxInFlight,
      long startNanos,
      long endNanos) {
    Semaphore permits = new Semaphore(maxInFlight);
    double interval = 1e9 / perSecond;
    long count = 0;
    long late = 0;
    for (long i = 0; ; i++) {
      long due = startNanos + (long) (i * interval);
      if (due - endNanos >= 0) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // pacing only: nothing depends on waking exactly on time
      }
      if (!permits.tryAcquire()) {
        late++;
        if (!acquire(permits, endNanos)) {
          break;
        }
      }
      MessageMix.Message m = mix.next();
      tracker.register(m.id(), due, expected.applyAsInt(m.kind()));
      send(sender, m, tracker, permits);
      count++;
    }
    awaitAll(permits, maxInFlight);
    return new Sent(count, count * 1e9 / Math.max(1, endNanos - startNanos), late);
  }

  private static void send(
      Sender sender, MessageMix.Message m, Tracker tracker, Semaphore permits) {
    try {
      sender.send(
          m,
          failure -> {
            if (failure != null) {
              tracker.failed(m.id(), failure);
            }
            permits.release();
          });
    } catch (RuntimeException e) {
      tracker.failed(m.id(), e.getClass().getSimpleName());
      permits.release();
    }
  }

  private static boolean acquire(Semaphore permits, long deadlineNanos) {
    try {
      long left = deadlineNanos - System.nanoTime();
      return left > 0 && permits.tryAcquire(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits (bounded) until every publish in flight has answered. */
  private static void awaitAll(Semaphore permits, int total) {
    try {
      if (permits.tryAcquire(total, IN_FLIGHT_GRACE_NANOS, TimeUnit.NANOSECONDS)) {
        permits.release(total);
      } else {
        System.out.printf(
            "  warning: %d publishes still unanswered %d s after the pass%n",
            total - permits.availablePermits(),
            TimeUnit.NANOSECONDS.toSeconds(IN_FLIGHT_GRACE_NANOS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
