package org.safehub.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The result rows and the printed table. */
final class Report {

  /**
   * One measured system.
   *
   * @param cpuMsPerMessage CPU milliseconds per delivered message, every process involved
   * @param cpuSplit the same CPU, by process
   * @param machineBusy fraction of the whole machine's CPU that was busy in the window (anything
   *     running counts)
   */
  record Row(
      String system,
      double messagesPerSecond,
      double copiesPerSecond,
      Latencies.Summary latency,
      double cpuMsPerMessage,
      String cpuSplit,
      double machineBusy,
      String notes,
      Cpu.Usage usage) {}

  private Report() {}

  /** A row from a pass measured by a {@link Tracker} over a CPU window. */
  static Row row(
      String system, Tracker t, Cpu.Usage usage, Load.Sent sent, boolean drained, String notes) {
    double seconds = usage.wallSeconds();
    long messages = t.completedInWindow.get();
    StringBuilder split = new StringBuilder();
    split.append(
        String.format(Locale.ROOT, "bench JVM %.2f", perMessage(usage.selfSeconds(), messages)));
    usage
        .groupSeconds()
        .forEach(
            (name, s) ->
                split.append(
                    String.format(Locale.ROOT, " + %s %.2f", name, perMessage(s, messages))));
    List<String> extra = new ArrayList<>();
    extra.add(String.format(Locale.ROOT, "offered %.0f msg/s", sent.offeredPerSecond()));
    Latencies.Summary[] split2 = t.latencySplit();
    if (split2[0].count() > 0) {
      extra.add(
          String.format(
              Locale.ROOT,
              "latency split at the copy's record timestamp (ms, p50/p99/p99.9): to written by the"
                  + " hub %.0f/%.0f/%.0f, written to visible %.0f/%.0f/%.0f",
              split2[0].p50(),
              split2[0].p99(),
              split2[0].p999(),
              split2[1].p50(),
              split2[1].p99(),
              split2[1].p999()));
    }
    if (sent.lateStarts() > 0) {
      extra.add(sent.lateStarts() + " sends started late (all publish slots busy)");
    }
    if (t.failed.sum() > 0) {
      extra.add("FAILED publishes " + t.failed.sum() + " " + t.failureReasons());
    }
    if (!drained || t.missingCopies() > 0) {
      extra.add("MISSING copies " + t.missingCopies() + " (not delivered within the drain time)");
    }
    if (t.duplicates.get() > 0) {
      extra.add("DUPLICATE copies " + t.duplicates.get());
    }
    if (t.unexpected.get() > 0) {
      extra.add("copies to unexpected recipients " + t.unexpected.get());
    }
    return new Row(
        system,
        messages / seconds,
        t.copiesInWindow.get() / seconds,
        t.latency(),
        perMessage(usage.totalSeconds(), messages),
        split.toString(),
        usage.machineBusy(),
        notes + "; " + String.join("; ", extra),
        usage);
  }

  private static double perMessage(double cpuSeconds, long messages) {
    return messages == 0 ? Double.NaN : cpuSeconds * 1000 / messages;
  }

  static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    String header =
        String.format(
            Locale.ROOT,
            "%-40s %7s %8s %8s %8s %8s %10s %5s %6s",
            "system",
            "msg/s",
            "copies/s",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "CPU ms/msg",
            "busy",
            "others");
    out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-40s %7.0f %8.0f %8s %8s %8s %10.2f %4.0f%% %6.2f%n",
              r.system(),
              r.messagesPerSecond(),
              r.copiesPerSecond(),
              fmt(r.latency().p50()),
              fmt(r.latency().p99()),
              fmt(r.latency().p999()),
              r.cpuMsPerMessage(),
              r.machineBusy() * 100,
              othersCores(r.usage())));
    }
    out.append(
        "  busy: the whole machine's CPU in use during the measured window; others: cores used meanwhile by processes\n"
            + "  outside this benchmark (busy x cores - what the benchmark's own processes used): other load skews the figures.\n");
    out.append('\n');
    for (Row r : rows) {
      out.append("  ").append(r.system()).append(":\n");
      out.append("    CPU ms/msg by process: ").append(r.cpuSplit()).append('\n');
      if (r.latency().count() > 0) {
        out.append(
            String.format(
                Locale.ROOT,
                "    latency samples %d, max %.1f ms%n",
                r.latency().count(),
                r.latency().max()));
      }
      out.append("    ").append(r.notes()).append('\n');
    }
    return out.toString();
  }

  /** The threads that used the most CPU in a window, by name pattern. */
  /** CPU by thread name, in cores and in milliseconds per message at {@code messagesPerSecond}. */
  static String topThreads(
      String title,
      Map<String, double[]> seconds,
      double windowSeconds,
      int limit,
      double messagesPerSecond) {
    boolean waits = seconds.values().stream().anyMatch(v -> !Double.isNaN(v[1]));
    StringBuilder out = new StringBuilder("  " + title + "\n");
    out.append(
        waits
            ? "     CPU  ms/msg  wait-for-CPU  threads  (cores, averaged over the window)\n"
            : "     CPU  ms/msg  threads  (cores, averaged over the window)\n");
    seconds.entrySet().stream()
        .limit(limit)
        .forEach(
            e -> {
              double[] v = e.getValue();
              double cores = v[0] / windowSeconds;
              double msPerMessage = cores * 1000 / Math.max(1e-9, messagesPerSecond);
              out.append(
                  waits
                      ? String.format(
                          Locale.ROOT,
                          "    %5.2f  %6.2f  %12.2f  %7.0f  %s%n",
                          cores,
                          msPerMessage,
                          v[1] / windowSeconds,
                          v[2],
                          e.getKey())
                      : String.format(
                          Locale.ROOT,
                          "    %5.2f  %6.2f  %7.0f  %s%n",
                          cores,
                          msPerMessage,
                          v[2],
                          e.getKey()));
            });
    return out.toString();
  }

  /** Cores used in the window by processes that are not part of the measurement. */
  static double othersCores(Cpu.Usage u) {
    if (u == null || Double.isNaN(u.machineBusy())) {
      return Double.NaN;
    }
    return Math.max(
        0,
        u.machineBusy() * Runtime.getRuntime().availableProcessors()
            - u.totalSeconds() / u.wallSeconds());
  }

  private static String fmt(double ms) {
    return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.1f", ms);
  }
}
