package org.safehub.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.jboss.logmanager.LogContext;
import org.safehub.bench.Bench;
import org.safehub.bench.BenchParams;
import org.safehub.bench.HubPhase;

/**
 * The benchmark command ({@code ./mvnw -Pbench}): crypto and validation alone, raw Kafka doing the
 * hub's Kafka I/O, and the hub end to end (started here as a child process against an in-process
 * Kafka, an embedded PostgreSQL and Keycloak on free ports, all in a temporary directory), one
 * after the other on this machine; then one table. Everything it starts is stopped when it ends,
 * however it ends.
 */
public final class Benchmark {

  private static final Path OUT = Path.of("target", "bench");

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    logToConsole();
    BenchParams params = BenchParams.fromSystemProperties();
    Path hubJar = DevStackMain.HUB_JAR.toAbsolutePath();
    if (!Files.isRegularFile(hubJar)) {
      System.err.println(
          "The hub is not built: "
              + hubJar
              + " is missing. Use ./mvnw -Pbench, which builds it first.");
      System.exit(2);
    }
    Path keycloakHome =
        Path.of(
            System.getProperty(
                "safehub.keycloak.home",
                Path.of(System.getProperty("user.home"), ".cache", "safehub", "keycloak-26.5.6")
                    .toString()));
    Files.createDirectories(OUT);

    AtomicReference<DevStack> stack = new AtomicReference<>();
    AtomicReference<Process> hub = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1);
    Thread stopAll = new Thread(() -> stopAll(hub, stack), "bench-stop");
    Runtime.getRuntime().addShutdownHook(stopAll);
    startDeadline(params, finished);

    Bench bench = new Bench(params);
    bench.printHeader();
    int code = 0;
    try {
      bench.prepareAndMeasureCrypto();
      System.out.println(
          "Starting Kafka, PostgreSQL (fsync and synchronous_commit on, as shipped) and Keycloak"
              + " (temporary, free ports) ...");
      // measured as shipped: the start command's durable PostgreSQL, and its broker settings
      stack.set(
          DevStack.start(
              DevStack.Options.temporary(keycloakHome, DevStackMain.REALM_FILE.toAbsolutePath()),
              true));
      DevStack.Endpoints endpoints = stack.get().endpoints();
      bench.measureRawKafka(endpoints.kafkaBootstrap());

      // the hub uses the demo agency keys the crypto pass used (it loads keys it finds before
      // making any)
      Path dataDir = stack.get().dataDir();
      bench.installDemoKeys(dataDir.resolve("keys").resolve("agencies"));
      int port = Ports.free();
      List<String> jvm = params.hubJvmOptions();
      Path recording = OUT.resolve("hub.jfr").toAbsolutePath();
      Files.deleteIfExists(recording);
      Path hubLog = OUT.resolve("hub.log").toAbsolutePath();
      System.out.printf("Starting the hub on port %d (log %s) ...%n", port, hubLog);
      hub.set(startHub(HubProcess.command(jvm, endpoints, port, dataDir, hubJar), hubLog));
      URI hubUri = URI.create("http://127.0.0.1:" + port);
      awaitReady(hub.get(), hubUri, hubLog);
      long hubPid = HubProcess.jvmPid(hub.get());
      long postmaster =
          Long.parseLong(
              Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"))
                  .get(0)
                  .trim());
      HubPhase.Result result =
          bench.measureHub(
              new HubPhase.Target(hubUri, endpoints.issuer(), endpoints.kafkaBootstrap()),
              hubPid,
              postmaster,
              hub.get().toHandle().pid(),
              params.profile() ? flightRecorder(hubPid, recording) : null);

      System.out.println("Stopping the hub ...");
      HubProcess.stop(hub.get());
      if (params.coldStart()) {
        // the hub alone, as an operator restarts it: java -jar, components running, to ready
        System.out.println("Restarting the hub alone (components running) to time its start ...");
        Path restartLog = OUT.resolve("hub-restart.log").toAbsolutePath();
        hub.set(startHub(HubProcess.command(jvm, endpoints, port, dataDir, hubJar), restartLog));
        bench.hubColdStart(awaitReady(hub.get(), hubUri, restartLog));
        HubProcess.stop(hub.get());
        if (HubClassArchive.managed(jvm)) {
          bench.hubColdStartArchived(
              archivedColdStart(
                  () -> HubProcess.command(jvm, endpoints, port, dataDir, hubJar, true),
                  hubJar,
                  hubUri));
        }
      }
      bench.printResults(params.profile() ? recording : null, result);
    } catch (Exception e) {
      System.out.println();
      System.out.println("The benchmark failed: " + e.getMessage());
      e.printStackTrace(System.out);
      if (Files.isRegularFile(OUT.resolve("hub.log"))) {
        System.out.println("Last lines of the hub's log:");
        System.out.println(DataDirs.tail(OUT.resolve("hub.log"), 30));
      }
      bench.printPartial();
      code = 1;
    } finally {
      finished.countDown();
      stopAll(hub, stack);
      bench.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopAll);
      } catch (IllegalStateException e) {
        // already shutting down (the deadline fired): the hook is running
      }
    }
    System.exit(code);
  }

  private static synchronized void stopAll(
      AtomicReference<Process> hub, AtomicReference<DevStack> stack) {
    Process h = hub.getAndSet(null);
    if (h != null) {
      HubProcess.stop(h);
    }
    DevStack s = stack.getAndSet(null);
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        System.out.println("stopping the dev stack: " + e.getMessage());
      }
    }
  }

  /**
   * Ends the run (and, through the shutdown hook, everything it started) if it overruns its budget
   * badly.
   */
  private static void startDeadline(BenchParams params, CountDownLatch finished) {
    long budget =
        4L * (params.warmup() + params.seconds())
            + params.hubWarmup()
            + 5L * params.drainSeconds()
            + 900;
    Thread deadline =
        new Thread(
            () -> {
              try {
                if (!finished.await(budget, TimeUnit.SECONDS)) {
                  System.out.printf(
                      "The benchmark has run for %d s, far longer than planned; stopping.%n",
                      budget);
                  System.exit(3);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-deadline");
    deadline.setDaemon(true);
    deadline.start();
  }

  /**
   * The hub's flight recorder, started and stopped with {@code jcmd} for the profiled pass only, so
   * that no measured pass runs with it.
   */
  private static HubPhase.Profiler flightRecorder(long hubPid, Path recording) {
    return new HubPhase.Profiler() {
      @Override
      public void start() throws Exception {
        jcmd(hubPid, "JFR.start", "name=bench", "settings=default");
      }

      @Override
      public void stop() throws Exception {
        jcmd(hubPid, "JFR.stop", "name=bench", "filename=" + recording);
      }
    };
  }

  private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(pid));
    line.addAll(List.of(command));
    Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
    }
  }

  /**
   * The hub's start with a class archive (ADR 0014, a deployment option): one start trains it if
   * this build has none, then a start that maps it is timed to ready ({@code command} gives each
   * start's command: training, then mapping).
   */
  private static double archivedColdStart(Supplier<List<String>> command, Path hubJar, URI hubUri)
      throws IOException, InterruptedException {
    if (!HubClassArchive.ready(hubJar)) {
      Path trainLog = OUT.resolve("hub-train.log").toAbsolutePath();
      System.out.printf(
          "Training the hub's class archive: one start and stop (log %s) ...%n", trainLog);
      Process training = startHub(command.get(), trainLog);
      try {
        awaitReady(training, hubUri, trainLog);
      } finally {
        HubProcess.stop(training);
      }
      if (!HubClassArchive.ready(hubJar)) {
        System.out.println("  the class archive was not written (see that log)");
        return Double.NaN;
      }
    }
    System.out.println("Restarting the hub alone with its class archive to time its start ...");
    Path log = OUT.resolve("hub-restart-archived.log").toAbsolutePath();
    Process archived = startHub(command.get(), log);
    try {
      double seconds = awaitReady(archived, hubUri, log);
      // timed only if its JVM really mapped the archive (it ignores one it cannot use)
      if (!HubClassArchive.mappedBy(HubProcess.jvmPid(archived), hubJar)) {
        System.out.printf(
            "  the hub did not map %s (see its log): not timed%n", HubClassArchive.archive(hubJar));
        return Double.NaN;
      }
      return seconds;
    } finally {
      HubProcess.stop(archived);
    }
  }

  private static Process startHub(List<String> command, Path log) throws IOException {
    // like HubProcess.start, but the hub's console goes to a file so the benchmark's output stays
    // readable
    Process hub =
        new ProcessBuilder(ChildWatchdog.wrap(command))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    HubClassArchive.watch(hub, command);
    return hub;
  }

  /** Waits for the hub's readiness; returns the seconds it took from here. */
  private static double awaitReady(Process hub, URI hubUri, Path log) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(hubUri.resolve("/q/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    long begin = System.nanoTime();
    long deadline = begin + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() - deadline < 0) {
      if (!hub.isAlive()) {
        throw new IllegalStateException(
            "the hub exited with code " + hub.exitValue() + " while starting; see " + log);
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          double seconds = (System.nanoTime() - begin) / 1e9;
          System.out.printf(Locale.ROOT, "  hub ready in %.1f s%n", seconds);
          return seconds;
        }
      } catch (IOException e) {
        // not listening yet
      }
      // bounded poll for readiness; nothing measured depends on it
      hub.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException("the hub was not ready within 180 s; see " + log);
  }

  /**
   * As DevStackMain does, but at WARN: the embedded broker and clients log through the JBoss
   * LogManager.
   */
  private static void logToConsole() {
    DevStackMain.logToConsole(Level.WARNING);
    // the schema library warns once per unknown annotation keyword (x-safehub-category), which the
    // hub uses on purpose
    LogContext.getLogContext().getLogger("com.networknt").setLevel(Level.SEVERE);
  }
}
