package org.safehub.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.safehub.audit.AuditAction;

/**
 * Keeps a flood of refusals from growing the permanent audit log without bound. Per caller (a
 * source address, or an agency over its rate) and window, the first refusals are audited one by
 * one; past the threshold, or past the overall threshold of the window, a refusal is only counted,
 * and once the window has closed one aggregated event per kind of refusal stands for all that were
 * counted, with their number. Memory is bounded: callers in a bounded cache, aggregates by window
 * and kind (a handful of problem codes).
 */
public final class RefusalLedger {

  /** What kind of refusal was counted: the audit action, the problem code and the HTTP status. */
  public record Kind(AuditAction action, String reason, int status) {
    public Kind {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The refusals of one kind counted, not audited one by one, in one window.
   *
   * @param windowStart when the window began
   * @param window its length
   * @param kind what was refused
   * @param count how many refusals it stands for
   * @param callers how many distinct callers had refusals counted in the window (any kind)
   */
  public record Aggregate(
      Instant windowStart, Duration window, Kind kind, long count, int callers) {}

  private static final class Window {
    long start = Long.MIN_VALUE;
    int audited;
    boolean counted;
  }

  private final int perCaller;
  private final int overall;
  private final long windowMillis;
  private final Clock clock;
  private final Cache<String, Window> callers;

  /** window start (ms) -> kind -> count. */
  private final Map<Long, Map<Kind, Long>> counted = new LinkedHashMap<>();

  private final Map<Long, Integer> callersCounted = new LinkedHashMap<>();
  private long overallWindow = Long.MIN_VALUE;
  private int overallAudited;

  public RefusalLedger(
      int perCallerPerWindow, int overallPerWindow, Duration window, int maxCallers, Clock clock) {
    if (perCallerPerWindow < 0 || overallPerWindow < 0 || maxCallers < 1 || window.toMillis() < 1) {
      throw new IllegalArgumentException(
          "thresholds must not be negative, the window and the caller bound positive");
    }
    this.perCaller = perCallerPerWindow;
    this.overall = overallPerWindow;
    this.windowMillis = window.toMillis();
    this.clock = clock;
    this.callers = Caffeine.newBuilder().maximumSize(maxCallers).executor(Runnable::run).build();
  }

  /**
   * True: audit this refusal as its own event. False: it has been counted for its window's
   * aggregated event.
   */
  public synchronized boolean admit(String caller, Kind kind) {
    long start = Math.floorDiv(clock.millis(), windowMillis) * windowMillis;
    if (overallWindow != start) {
      overallWindow = start;
      overallAudited = 0;
    }
    Window w = callers.get(caller, k -> new Window());
    if (w.start != start) {
      w.start = start;
      w.audited = 0;
      w.counted = false;
    }
    if (w.audited < perCaller && overallAudited < overall) {
      w.audited++;
      overallAudited++;
      return true;
    }
    counted.computeIfAbsent(start, s -> new LinkedHashMap<>()).merge(kind, 1L, Long::sum);
    if (!w.counted) {
      w.counted = true;
      callersCounted.merge(start, 1, Integer::sum);
    }
    return false;
  }

  /**
   * The aggregates of every window that has closed (all of them when {@code all}), each handed out
   * once.
   */
  public synchronized List<Aggregate> drain(boolean all) {
    long current = Math.floorDiv(clock.millis(), windowMillis) * windowMillis;
    List<Aggregate> out = new ArrayList<>();
    var it = counted.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!all && e.getKey() >= current) {
        continue;
      }
      int distinct = callersCounted.getOrDefault(e.getKey(), 0);
      for (var k : e.getValue().entrySet()) {
        out.add(
            new Aggregate(
                Instant.ofEpochMilli(e.getKey()),
                Duration.ofMillis(windowMillis),
                k.getKey(),
                k.getValue(),
                distinct));
      }
      it.remove();
      callersCounted.remove(e.getKey());
    }
    return out;
  }

  /** Callers tracked now: for tests of the memory bound. */
  public long trackedCallers() {
    callers.cleanUp();
    return callers.estimatedSize();
  }
}
