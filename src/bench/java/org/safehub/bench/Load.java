package org.safehub.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Publishes a batch of messages (one sender's) asynchronously and reports, per message in order,
   * {@code null} (accepted) or a failure reason to {@code done}.
   */
  interface BatchSender {
    void send(List<MessageMix.Message> batch, Consumer<List<String>> done);
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
   * As {@link #closedLoop}, with batch publishes: {@code concurrency} batches of {@code batchSize}
   * messages in flight, each batch one sender's (the mix's messages are grouped by sender, in
   * order).
   */
  static Sent closedLoopBatches(
      BatchSender sender,
      MessageMix mix,
      Tracker tracker,
      IntUnaryOperator expected,
      int concurrency,
      int batchSize,
      int backlogCap,
      long endNanos) {
    Semaphore permits = new Semaphore(concurrency);
    Map<String, List<MessageMix.Message>> buckets = new HashMap<>();
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
      List<MessageMix.Message> batch = null;
      while (batch == null) {
        MessageMix.Message m = mix.next();
        List<MessageMix.Message> b =
            buckets.computeIfAbsent(m.kindInfo().sender(), k -> new ArrayList<>());
        b.add(m);
        if (b.size() == batchSize) {
          batch = b;
          buckets.remove(m.kindInfo().sender());
        }
      }
      long now = System.nanoTime();
      for (MessageMix.Message m : batch) {
        tracker.register(m.id(), now, expected.applyAsInt(m.kind()));
      }
      List<MessageMix.Message> sent = batch;
      try {
        sender.send(
            sent,
            failures -> {
              for (int i = 0; i < sent.size(); i++) {
                if (failures.get(i) != null) {
                  tracker.failed(sent.get(i).id(), failures.get(i));
                }
              }
              permits.release();
            });
      } catch (RuntimeException e) {
        sent.forEach(m -> tracker.failed(m.id(), e.getClass().getSimpleName()));
        permits.release();
      }
      count += batch.size();
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
