package org.safehub.bench;

import java.util.Arrays;

/** Latency samples in microseconds, added by one thread; percentiles by sorting at the end. */
final class Latencies {

  private static final int MAX_SAMPLES = 50_000_000;

  /** Count and percentiles, in milliseconds. */
  record Summary(long count, double p50, double p99, double p999, double max) {
    static final Summary NONE = new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  private long[] micros = new long[1 << 16];
  private int size;
  private long dropped;

  void add(long nanos) {
    if (size == micros.length) {
      if (size >= MAX_SAMPLES) {
        dropped++;
        return;
      }
      micros = Arrays.copyOf(micros, Math.min(MAX_SAMPLES, size * 2));
    }
    micros[size++] = Math.max(0, nanos / 1_000);
  }

  long dropped() {
    return dropped;
  }

  Summary summary() {
    if (size == 0) {
      return Summary.NONE;
    }
    long[] sorted = Arrays.copyOf(micros, size);
    Arrays.sort(sorted);
    return new Summary(
        size,
        ms(at(sorted, 0.50)),
        ms(at(sorted, 0.99)),
        ms(at(sorted, 0.999)),
        ms(sorted[size - 1]));
  }

  /** Nearest-rank percentile. */
  private static long at(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
