package org.safehub.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's parameters, from system properties (defaults give a run of 15-20 minutes on two
 * cores, most of it the hub's warm-up and measuring).
 *
 * @param seconds measured seconds per pass ({@code bench.seconds}, 30)
 * @param warmup warm-up seconds before each measured window ({@code bench.warmup}, 10); the paced
 *     passes, which follow a peak pass on the same warm JVM, warm up for half of it
 * @param hubWarmup longest warm-up of the hub before its peak pass ({@code bench.hub.warmup}, 300
 *     s): the hub makes some 15,000 JIT compilations (Quarkus, Netty, Kafka, Bouncy Castle), which
 *     on two shared cores takes minutes; the warm-up ends sooner once the compilers are idle
 * @param concurrency requests (or Kafka sends) in flight in the closed-loop passes ({@code
 *     bench.concurrency}, 32)
 * @param minBytes smallest message body ({@code bench.size}, "1024-4096": bodies spread evenly over
 *     eight sizes in that range; a single number gives one size)
 * @param maxBytes largest message body
 * @param cryptoThreads threads of the crypto-and-validation loop ({@code bench.crypto.threads}, all
 *     cores)
 * @param pacedFraction offered rate of the paced hub pass as a fraction of the measured hub peak
 *     ({@code bench.paced.fraction}, 0.7)
 * @param backlogCap the closed-loop passes hold back while this many accepted messages are not yet
 *     delivered ({@code bench.backlog}, 1000), so the peak is the rate the whole path sustains:
 *     without it, ingress threads take the CPU from the single pipeline thread and the queue
 *     between them only grows
 * @param drainSeconds longest wait after a pass for its last copies ({@code bench.drain}, 60)
 * @param profile after the measured passes, a profiled pass with the hub's JDK Flight Recorder on,
 *     and where its CPU went ({@code bench.profile}, true)
 * @param hubJvmOptions extra JVM options for the hub ({@code safehub.hub.jvm-opts}, none)
 * @param phases which phases run ({@code bench.phases}, "crypto,kafka,hub"; the hub always runs);
 *     fewer is for tuning the hub, the README's figures come from all three in one run
 * @param pacedRates the fixed rates of the paced latency passes, msg/s ({@code bench.paced.rates},
 *     "50,100,200"; "none" for none)
 * @param batchSize messages per batch publish in the batch peak pass ({@code bench.batch.size},
 *     100; 0 skips the pass)
 * @param batchConcurrency batch requests in flight in that pass ({@code bench.batch.concurrency},
 *     4)
 * @param coldStart restart the hub alone (components running) and time it to ready, as shipped and
 *     then with a class archive of its build (ADR 0014) ({@code bench.cold-start}, true)
 */
public record BenchParams(
    int seconds,
    int warmup,
    int hubWarmup,
    int concurrency,
    int minBytes,
    int maxBytes,
    int cryptoThreads,
    double pacedFraction,
    int backlogCap,
    int drainSeconds,
    boolean profile,
    List<String> hubJvmOptions,
    java.util.Set<String> phases,
    List<Integer> pacedRates,
    int batchSize,
    int batchConcurrency,
    boolean coldStart) {

  public BenchParams {
    require(seconds >= 1 && seconds <= 3600, "bench.seconds must be 1-3600");
    require(warmup >= 0 && warmup <= 600, "bench.warmup must be 0-600");
    require(hubWarmup >= 0 && hubWarmup <= 600, "bench.hub.warmup must be 0-600");
    require(concurrency >= 1 && concurrency <= 1024, "bench.concurrency must be 1-1024");
    require(
        minBytes >= 600 && maxBytes >= minBytes && maxBytes <= 4800,
        "bench.size must lie in 600-4800 bytes (the justification field that pads a message holds 4000 characters)");
    require(cryptoThreads >= 1 && cryptoThreads <= 256, "bench.crypto.threads must be 1-256");
    require(
        pacedFraction >= 0 && pacedFraction <= 1.5,
        "bench.paced.fraction must be in [0, 1.5] (0: no pass paced at a fraction of the peak)");
    pacedRates = List.copyOf(pacedRates);
    require(
        pacedRates.stream().allMatch(r -> r >= 1 && r <= 100_000),
        "bench.paced.rates must be rates of 1-100000 msg/s");
    require(batchSize >= 0 && batchSize <= 500, "bench.batch.size must be 0-500");
    require(
        batchConcurrency >= 1 && batchConcurrency <= 64, "bench.batch.concurrency must be 1-64");
    require(backlogCap >= concurrency, "bench.backlog must be at least bench.concurrency");
    require(drainSeconds >= 1 && drainSeconds <= 600, "bench.drain must be 1-600");
    hubJvmOptions = List.copyOf(hubJvmOptions);
    phases = java.util.Set.copyOf(phases);
    require(
        phases.contains("hub") && ALL_PHASES.containsAll(phases),
        "bench.phases must list hub and may list crypto and kafka (comma-separated)");
  }

  private static final java.util.Set<String> ALL_PHASES =
      java.util.Set.of("crypto", "kafka", "hub");

  /** Whether {@code phase} ("crypto", "kafka" or "hub") runs. */
  public boolean runs(String phase) {
    return phases.contains(phase);
  }

  public static BenchParams fromSystemProperties() {
    String size = System.getProperty("bench.size", "1024-4096").trim();
    int min;
    int max;
    int dash = size.indexOf('-');
    if (dash > 0) {
      min = Integer.parseInt(size.substring(0, dash).trim());
      max = Integer.parseInt(size.substring(dash + 1).trim());
    } else {
      min = Integer.parseInt(size);
      max = min;
    }
    String jvm = System.getProperty("safehub.hub.jvm-opts", "").trim();
    return new BenchParams(
        Integer.getInteger("bench.seconds", 30),
        Integer.getInteger("bench.warmup", 10),
        Integer.getInteger("bench.hub.warmup", 300),
        Integer.getInteger("bench.concurrency", 32),
        min,
        max,
        Integer.getInteger("bench.crypto.threads", Runtime.getRuntime().availableProcessors()),
        Double.parseDouble(System.getProperty("bench.paced.fraction", "0.7")),
        Integer.getInteger("bench.backlog", 1000),
        Integer.getInteger("bench.drain", 60),
        Boolean.parseBoolean(System.getProperty("bench.profile", "true")),
        jvm.isEmpty() ? List.of() : Arrays.asList(jvm.split("\\s+")),
        java.util.Set.of(
            System.getProperty("bench.phases", "crypto,kafka,hub").trim().split("\\s*,\\s*")),
        rates(System.getProperty("bench.paced.rates", "50,100,200")),
        Integer.getInteger("bench.batch.size", 100),
        Integer.getInteger("bench.batch.concurrency", 4),
        Boolean.parseBoolean(System.getProperty("bench.cold-start", "true")));
  }

  private static List<Integer> rates(String list) {
    String l = list.trim();
    if (l.isEmpty() || l.equals("none")) {
      return List.of();
    }
    return Arrays.stream(l.split("\\s*,\\s*")).map(Integer::valueOf).toList();
  }

  /**
   * Seconds of warm-up for the paced pass, which runs on a hub the peak pass has already warmed.
   */
  public int pacedWarmup() {
    return Math.max(2, warmup / 2);
  }

  /**
   * Publishes an open-loop pass lets be in flight at once (a start that finds none free is late).
   */
  public int pacedMaxInFlight() {
    return Math.max(128, 4 * concurrency);
  }

  public String describe() {
    return String.format(
        "bench.seconds=%d bench.warmup=%d bench.hub.warmup=%d bench.concurrency=%d bench.size=%d-%d bench.crypto.threads=%d"
            + " bench.paced.fraction=%.2f bench.backlog=%d bench.drain=%d bench.profile=%s safehub.hub.jvm-opts=%s bench.phases=%s"
            + " bench.paced.rates=%s bench.batch.size=%d bench.batch.concurrency=%d bench.cold-start=%s bench.mix.cases=%s",
        seconds,
        warmup,
        hubWarmup,
        concurrency,
        minBytes,
        maxBytes,
        cryptoThreads,
        pacedFraction,
        backlogCap,
        drainSeconds,
        profile,
        hubJvmOptions.isEmpty() ? "(none)" : String.join(" ", hubJvmOptions),
        String.join(",", new java.util.TreeSet<>(phases)),
        pacedRates.isEmpty()
            ? "none"
            : String.join(",", pacedRates.stream().map(String::valueOf).toList()),
        batchSize,
        batchConcurrency,
        coldStart,
        MessageMix.CASES);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
