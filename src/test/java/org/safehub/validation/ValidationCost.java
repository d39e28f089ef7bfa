package org.safehub.validation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What one request costs the hub in validation CPU: the strict parse and the schema validation, as
 * the ingress runs them, measured as this thread's CPU time (ThreadMXBean), the best of several
 * runs so a descheduled or JIT-compiling run does not count. Used by the unit tests and by the
 * benchmark.
 */
public final class ValidationCost {

  /** No single request may cost more validation CPU than this (issue 10: 50 ms). */
  public static final long BUDGET_NANOS = 50_000_000L;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final StrictJson json;
  private final SchemaCatalogue catalogue;
  private final int maxBodyBytes;

  /**
   * The parser with the hub's default limits (safehub.ingress.*) and the schemas of {@code
   * schemas}.
   */
  public ValidationCost(Path schemas) {
    this.maxBodyBytes = 262_144;
    this.json = new StrictJson(64, 65_536, 40, maxBodyBytes, 4096);
    this.catalogue =
        SchemaCatalogue.load(schemas, new com.fasterxml.jackson.databind.ObjectMapper());
  }

  /** One measured body: its label and its best CPU time over the runs. */
  public record Cost(String label, long nanos) {
    public double millis() {
      return nanos / 1e6;
    }
  }

  /**
   * The body's parse and validation, as the ingress runs them (a body over the size limit is
   * refused before parsing).
   */
  public void check(byte[] body) {
    if (body.length > maxBodyBytes) {
      return;
    }
    if (json.parse(body) instanceof StrictJson.Parsed.Ok ok) {
      catalogue.validate(ok.node());
    }
  }

  /** Each body's best CPU time over {@code runs} runs, most expensive first. */
  public List<Cost> measure(List<Map.Entry<String, byte[]>> bodies, int runs) {
    List<Cost> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> b : bodies) {
      out.add(new Cost(b.getKey(), bestOf(runs, () -> check(b.getValue()))));
    }
    out.sort(Comparator.comparingLong(Cost::nanos).reversed());
    return out;
  }

  /** The least thread CPU time {@code work} took over {@code runs} runs. */
  public static long bestOf(int runs, Runnable work) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long start = THREADS.getCurrentThreadCpuTime();
      work.run();
      best = Math.min(best, THREADS.getCurrentThreadCpuTime() - start);
    }
    return best;
  }
}
