package org.safehub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.safehub.api.HostileBodies;
import org.safehub.validation.ValidationCost;

/**
 * Runs the three measurements in order - crypto and validation alone (before anything else is
 * started), raw Kafka, the hub - and prints the machine, the parameters and the results. The hub
 * and its components are started by the caller ({@code org.safehub.devstack.Benchmark}).
 */
public final class Bench implements AutoCloseable {

  private static final Path SCHEMAS = Path.of("schemas");
  private static final Path CONFIG = Path.of("deploy", "config");

  private final BenchParams params;
  private final List<Report.Row> rows = new ArrayList<>();
  private final String loadBefore;
  private MessageMix mix;
  private CryptoPhase.Keys keys;
  private CryptoPhase.Sizes sizes;
  private Cpu.Usage hubPeakUsage;
  private String expensiveInputs;
  private double hubRssMiB = Double.NaN;
  private double hubColdStartSec = Double.NaN;
  private double hubColdStartArchivedSec = Double.NaN;
  private HubPhase.Result hubResult;

  public Bench(BenchParams params) {
    this.params = params;
    this.loadBefore = Machine.loadAverage();
  }

  public void printHeader() {
    System.out.println("Safehub benchmark, " + Instant.now());
    System.out.println(Machine.describe());
    System.out.println("load before:  " + loadBefore);
    System.out.println("parameters:   " + params.describe());
    System.out.println(
        "JVM options:  "
            + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    System.out.println();
  }

  public void prepareAndMeasureCrypto() throws Exception {
    mix = MessageMix.load(SCHEMAS, params.minBytes(), params.maxBytes());
    keys = CryptoPhase.makeKeys(Files.createTempDirectory("safehub-bench-keys-"));
    sizes = CryptoPhase.sizes(mix, keys, CONFIG);
    System.out.println("message mix (kinds rotate; sizes rotate across rounds):");
    MessageMix.KINDS.forEach(
        k -> System.out.println("  " + k.name() + "  (" + k.recipients().size() + " copies)"));
    System.out.printf(
        Locale.ROOT,
        "  %.1f copies per message; bodies %d-%d B in %d sizes, mean %.0f B; sealed inbound record mean %.0f B;"
            + " sealed copy mean %.0f B%n",
        MessageMix.meanCopies(),
        params.minBytes(),
        params.maxBytes(),
        mix.steps(),
        mix.meanBodyBytes(),
        sizes.meanInbound(),
        sizes.meanSealedCopy());
    System.out.println("  recipient keys (demo keys, also given to the hub): " + keys.describe());
    System.out.println();
    if (!params.runs("crypto")) {
      return;
    }
    System.out.printf(
        "[1/3] crypto + validation alone: %d threads, %d s warm-up, %d s measured ...%n",
        params.cryptoThreads(), params.warmup(), params.seconds());
    rows.add(CryptoPhase.run(params, mix, keys, sizes, SCHEMAS));
    printLast();
    expensiveInputs = mostExpensiveHostileInputs(10);
    System.out.print(expensiveInputs);
  }

  /**
   * The {@code n} publish bodies of the hostile-input corpus ({@code HostileInputIT}) that cost the
   * most validation CPU (strict parse + schema validation, this thread's CPU time, best of 5 after
   * a warm-up pass), against the 50 ms budget of issue 10.
   */
  static String mostExpensiveHostileInputs(int n) {
    List<java.util.Map.Entry<String, byte[]>> bodies = HostileBodies.publishBodies();
    ValidationCost cost = new ValidationCost(SCHEMAS);
    bodies.forEach(b -> cost.check(b.getValue()));
    List<ValidationCost.Cost> costs = cost.measure(bodies, 5);
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "  hostile-input corpus: the %d most expensive of %d publish bodies (validation CPU, best of 5; budget %d ms each):%n",
                n,
                costs.size(),
                ValidationCost.BUDGET_NANOS / 1_000_000));
    costs.stream()
        .limit(n)
        .forEach(
            c -> b.append(String.format(Locale.ROOT, "    %8.3f ms  %s%n", c.millis(), c.label())));
    return b.toString();
  }

  public void measureRawKafka(String bootstrap) throws Exception {
    if (!params.runs("kafka")) {
      return;
    }
    System.out.printf(
        "[2/3] raw Kafka: %d s warm-up, %d s measured, %d sends in flight ...%n",
        params.warmup(), params.seconds(), params.concurrency());
    List<Report.Row> raw = RawKafkaPhase.run(params, mix, sizes, bootstrap);
    rows.addAll(raw);
    raw.forEach(this::printRow);
  }

  /**
   * Copies the demo agency keys into the hub's key folder, where its development bootstrap finds
   * them.
   */
  public void installDemoKeys(Path hubAgencyKeys) throws IOException {
    Files.createDirectories(hubAgencyKeys);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keys.agencyDir(), "*.pem")) {
      for (Path f : files) {
        Files.copy(f, hubAgencyKeys.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * Measures the running hub (HubPhase) and the CPU its processes use meanwhile.
   *
   * @param hubPid the hub's JVM
   * @param postmaster the PostgreSQL postmaster (its backends are its children)
   * @param hubWatchdog the shell the hub runs under (excluded from "keycloak", which is every other
   *     child of this JVM)
   * @param profiler the hub's flight recorder for the profiled pass, or null for none
   */
  public HubPhase.Result measureHub(
      HubPhase.Target target,
      long hubPid,
      long postmaster,
      long hubWatchdog,
      HubPhase.Profiler profiler)
      throws Exception {
    System.out.println("[3/3] the hub end to end");
    Cpu cpu = new Cpu();
    cpu.addGroup("hub", () -> List.of(hubPid));
    cpu.addGroup("postgres", () -> Cpu.tree(postmaster));
    cpu.addGroup(
        "keycloak",
        () -> {
          List<Long> hubTree = Cpu.tree(hubWatchdog);
          try (Stream<ProcessHandle> children = ProcessHandle.current().descendants()) {
            return children.map(ProcessHandle::pid).filter(p -> !hubTree.contains(p)).toList();
          }
        });
    cpu.breakDownThreadsOf(hubPid);
    try (HubPhase phase = new HubPhase(params, mix, target, cpu)) {
      HubPhase.Result result = phase.run();
      hubRssMiB = peakRssMiB(hubPid);
      System.out.printf(Locale.ROOT, "  hub resident memory at its peak: %.0f MiB%n", hubRssMiB);
      if (profiler != null) {
        result = phase.profiledPass(result, profiler);
      }
      hubResult = result;
      rows.addAll(result.rows());
      hubPeakUsage = result.rows().get(0).usage();
      result.rows().forEach(this::printRow);
      return result;
    }
  }

  /** The hub's peak resident set (VmHWM), MiB, or NaN where /proc does not say. */
  static double peakRssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return Double.NaN;
  }

  /** How long the hub alone took to be ready, its components already running. */
  public void hubColdStart(double seconds) {
    hubColdStartSec = seconds;
  }

  /**
   * How long the hub alone took to be ready with a class archive of its build (ADR 0014: a
   * deployment option, not the shipped start).
   */
  public void hubColdStartArchived(double seconds) {
    hubColdStartArchivedSec = seconds;
  }

  /**
   * The one machine-readable line: {@code BENCH-RESULT } and a JSON object of this run's figures
   * (null where a phase did not run).
   */
  public String resultLine() {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode o = json.createObjectNode();
    Report.Row crypto = find("crypto");
    Report.Row raw = find("raw Kafka, peak");
    Report.Row peak = find("hub end to end, peak");
    put(o, "cryptoMsgsPerSec", crypto == null ? Double.NaN : crypto.messagesPerSecond(), 0);
    put(o, "rawKafkaMsgsPerSec", raw == null ? Double.NaN : raw.messagesPerSecond(), 0);
    put(o, "hubPeakMsgsPerSec", peak == null ? Double.NaN : peak.messagesPerSecond(), 0);
    Report.Row batch = hubResult == null ? null : hubResult.batchPeak();
    put(o, "hubBatchPeakMsgsPerSec", batch == null ? Double.NaN : batch.messagesPerSecond(), 0);
    put(o, "hubCpuMsPerMsg", peak == null ? Double.NaN : peak.cpuMsPerMessage(), 2);
    put(o, "hubRssMiB", hubRssMiB, 0);
    put(o, "hubColdStartSec", hubColdStartSec, 1);
    put(o, "hubColdStartArchivedSec", hubColdStartArchivedSec, 1);
    com.fasterxml.jackson.databind.node.ArrayNode paced = o.putArray("paced");
    if (hubResult != null) {
      for (HubPhase.Paced p : hubResult.paced()) {
        com.fasterxml.jackson.databind.node.ObjectNode r = paced.addObject();
        r.put("rateMsgsPerSec", p.rate());
        put(r, "achievedMsgsPerSec", p.row().messagesPerSecond(), 1);
        put(r, "p50Ms", p.row().latency().p50(), 1);
        put(r, "p99Ms", p.row().latency().p99(), 1);
        put(r, "p999Ms", p.row().latency().p999(), 1);
        put(r, "cpuMsPerMsg", p.row().cpuMsPerMessage(), 2);
      }
    }
    o.put("mixCases", MessageMix.CASES);
    put(o, "copiesPerMsg", MessageMix.meanCopies(), 2);
    return "BENCH-RESULT " + o;
  }

  private static void put(
      com.fasterxml.jackson.databind.node.ObjectNode o, String name, double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(name);
    } else {
      o.put(name, new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_UP));
    }
  }

  public void printResults(Path recording, HubPhase.Result hub) {
    System.out.println();
    System.out.println("=".repeat(112));
    System.out.println(
        "RESULTS  (latency: publish to visible in the recipient's delivery topic, read_committed; per copy)");
    System.out.println(Machine.describe());
    System.out.println("parameters: " + params.describe());
    System.out.println();
    System.out.print(Report.table(rows));
    System.out.println();
    compare();
    if (expensiveInputs != null) {
      System.out.println();
      System.out.print(expensiveInputs);
    }
    if (hubPeakUsage != null) {
      System.out.println();
      System.out.println(
          "Where the time goes in the hub's peak window (threads), and in the profiled pass (JFR):");
      double w = hubPeakUsage.wallSeconds();
      double rate = find("hub end to end, peak").messagesPerSecond();
      System.out.print(
          Report.topThreads(
              "hub JVM threads (/proc, names cut at 15 characters)",
              hubPeakUsage.otherThreadSeconds(),
              w,
              14,
              rate));
      System.out.print(
          Report.topThreads(
              "benchmark JVM threads (Kafka broker, load generator, delivery consumer)",
              hubPeakUsage.selfThreadSeconds(),
              w,
              10,
              rate));
      if (recording != null && hub.profiledFrom() != null) {
        System.out.print(HubProfile.analyze(recording, hub.profiledFrom(), hub.profiledTo(), 14));
      }
    }
    if (hubResult != null && !hubResult.paced().isEmpty()) {
      // the lowest fixed rate: where its latency's CPU goes (its tail is waiting for a core)
      HubPhase.Paced low = hubResult.paced().get(0);
      Cpu.Usage u = low.row().usage();
      System.out.println();
      System.out.printf(
          Locale.ROOT, "Where the time goes at %d msg/s (per message at that rate):%n", low.rate());
      System.out.print(
          Report.topThreads(
              "hub JVM threads (/proc, names cut at 15 characters)",
              u.otherThreadSeconds(),
              u.wallSeconds(),
              10,
              low.row().messagesPerSecond()));
      System.out.print(
          Report.topThreads(
              "benchmark JVM threads (Kafka broker, load generator, delivery consumer)",
              u.selfThreadSeconds(),
              u.wallSeconds(),
              8,
              low.row().messagesPerSecond()));
    }
    System.out.println();
    System.out.println("load before:  " + loadBefore);
    System.out.println("load after:   " + Machine.loadAverage());
    System.out.println(resultLine());
  }

  /** What was measured before a failure. */
  public void printPartial() {
    if (!rows.isEmpty()) {
      System.out.println();
      System.out.println("Measured before the failure:");
      System.out.print(Report.table(rows));
    }
  }

  private void compare() {
    Report.Row crypto = find("crypto");
    Report.Row raw = find("raw Kafka, peak");
    Report.Row peak = find("hub end to end, peak");
    Report.Row paced = find("% of peak");
    if (peak == null) {
      return;
    }
    if (crypto != null) {
      System.out.printf(
          Locale.ROOT,
          "hub peak / crypto-and-validation limit: %.0f%%  (issue 16 asks for at least 40%%)%n",
          100 * peak.messagesPerSecond() / crypto.messagesPerSecond());
    }
    if (raw != null) {
      System.out.printf(
          Locale.ROOT,
          "hub peak / raw Kafka: %.0f%%%n",
          100 * peak.messagesPerSecond() / raw.messagesPerSecond());
    }
    System.out.printf(
        Locale.ROOT,
        "hub peak: %.0f msg/s with %.1f copies each  (issue 6 asks for at least 2,000 msg/s)%n",
        peak.messagesPerSecond(),
        peak.copiesPerSecond() / Math.max(1e-9, peak.messagesPerSecond()));
    if (paced != null) {
      System.out.printf(
          Locale.ROOT,
          "hub p99 at %.0f%% of its peak: %.1f ms  (issue 6 asks for under 50 ms)%n",
          params.pacedFraction() * 100,
          paced.latency().p99());
    }
  }

  private Report.Row find(String part) {
    return rows.stream().filter(r -> r.system().contains(part)).findFirst().orElse(null);
  }

  private void printLast() {
    printRow(rows.get(rows.size() - 1));
  }

  private void printRow(Report.Row r) {
    System.out.printf(
        Locale.ROOT,
        "  -> %s: %.0f msg/s, %.0f copies/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, CPU %.2f ms/msg (%s), machine busy %.0f%%,"
            + " other processes %.2f cores%n",
        r.system(),
        r.messagesPerSecond(),
        r.copiesPerSecond(),
        r.latency().p50(),
        r.latency().p99(),
        r.latency().p999(),
        r.cpuMsPerMessage(),
        r.cpuSplit(),
        r.machineBusy() * 100,
        Report.othersCores(r.usage()));
    System.out.println("     " + r.notes());
  }

  @Override
  public void close() {
    if (keys == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(keys.dir())) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}
