package org.safehub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.safehub.testsupport.Tokens;

/**
 * The hub end to end: messages published over HTTP with bearer tokens, copies read back from the
 * hub's delivery topics (read_committed) by an agency-side consumer. First a check that each kind
 * of message reaches exactly its expected recipients, then a closed-loop pass for the peak rate,
 * then an open-loop pass at a fraction of that peak for latency under a steady load.
 */
public final class HubPhase implements AutoCloseable {

  /** Where the running hub and its components are. */
  public record Target(URI hub, String issuer, String kafkaBootstrap) {}

  /**
   * The passes' rows (the single-publish peak first), the wall-clock span of the profiled pass
   * (null without one), the batch peak's row (null if not run) and the fixed-rate paced passes.
   */
  public record Result(
      List<Report.Row> rows,
      Instant profiledFrom,
      Instant profiledTo,
      Report.Row batchPeak,
      List<Paced> paced) {}

  /**
   * Starts and stops the hub's flight recording for the profiled pass. The recorder is off during
   * every measured pass: with it on from the start (the rounds before 2026-12-01) the hub's peak
   * lost 10-20 %, mostly to extra garbage collection.
   */
  public interface Profiler {
    void start() throws Exception;

    void stop() throws Exception;
  }

  /** A pass paced at a fixed rate. */
  public record Paced(int rate, Report.Row row) {}

  private static final int SLICE_SECONDS = 10;
  private static final int MIN_WARMUP_SECONDS = 30;
  private static final int LEAD_IN_SECONDS = 5;
  private static final double SETTLED_COMPILER_CORES = 0.05;
  private static final int SETTLE_SLICE_SECONDS = 5;
  private static final long PUBLISH_TIMEOUT_MILLIS = 30_000;
  private static final long BATCH_TIMEOUT_MILLIS = 60_000;
  private static final int SETTLE_MAX_SECONDS = 60;

  private long warmUpSeconds;
  private double warmUpCompilerCores = Double.NaN;

  private static final Duration TOKEN_REUSE =
      Duration.ofMinutes(10); // the realm's tokens live 15 minutes

  private final BenchParams params;
  private final MessageMix mix;
  private final Target target;
  private final Cpu cpu;
  private final HttpClient http;
  private final HttpPublisher publisher;
  private final Map<String, Token> tokens = new HashMap<>();
  private final AtomicBoolean firstFailureShown = new AtomicBoolean();
  private final int[] expected = new int[MessageMix.KINDS.size()];
  private DeliveryConsumer consumer;

  private record Token(String value, long fetchedNanos) {}

  public HubPhase(BenchParams params, MessageMix mix, Target target, Cpu cpu) {
    this.params = params;
    this.mix = mix;
    this.target = target;
    this.cpu = cpu;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    // publishes go through Vert.x: the JDK client above serves set-up, the routing check and status
    // look-ups only; a connection for every publish an open-loop pass may have in flight
    this.publisher = new HttpPublisher(target.hub(), params.pacedMaxInFlight());
  }

  public Result run() throws Exception {
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (int i = 0; i < MessageMix.AGENCIES.size(); i++) {
      topics.put("safehub.delivery." + MessageMix.AGENCIES.get(i), i);
    }
    MessageMix.KINDS.forEach(k -> token(k.sender()));
    consumer = new DeliveryConsumer(target.kafkaBootstrap(), topics, "bench-hub-delivery-consumer");
    setUp();
    checkRouting();

    List<Report.Row> rows = new ArrayList<>();
    warmUp();
    // peak: closed loop, a short lead-in then the measured window
    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(LEAD_IN_SECONDS);
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
    Tracker peak = new Tracker(windowStart, windowEnd);
    consumer.track(peak);
    Cpu.Window window = new Cpu.Window(cpu, windowStart, windowEnd);
    System.out.printf(
        "  hub peak pass: %d s measured, %d requests in flight, at most %d messages undelivered ...%n",
        params.seconds(), params.concurrency(), params.backlogCap());
    Load.Sent sent =
        Load.closedLoop(
            this::publish,
            mix,
            peak,
            k -> expected[k],
            params.concurrency(),
            params.backlogCap(),
            windowEnd);
    Cpu.Usage usage = window.usage();
    boolean drained =
        peak.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    consumer.track(null);
    Report.Row peakRow =
        Report.row(
            "hub end to end, peak (closed loop)",
            peak,
            usage,
            sent,
            drained,
            String.format(
                Locale.ROOT,
                "%d requests in flight, at most %d undelivered; mean copy record %.0f B; %s",
                params.concurrency(),
                params.backlogCap(),
                (double) peak.copyBytesInWindow.get() / Math.max(1, peak.copiesInWindow.get()),
                warmUpNote()));
    rows.add(peakRow);

    // paced: open loop at a fraction of the peak
    if (params.pacedFraction() > 0) {
      double rate = Math.max(1, params.pacedFraction() * peakRow.messagesPerSecond());
      rows.add(
          pacedPass(
              String.format(
                  Locale.ROOT,
                  "hub end to end, paced at %.0f%% of peak",
                  params.pacedFraction() * 100),
              rate));
    }
    Report.Row batchRow = null;
    if (params.batchSize() > 0) {
      batchRow = batchPeakPass();
      rows.add(batchRow);
    }
    List<Paced> paced = new ArrayList<>();
    for (int rate : params.pacedRates()) {
      Report.Row row =
          pacedPass(String.format(Locale.ROOT, "hub end to end, paced at %d msg/s", rate), rate);
      rows.add(row);
      paced.add(new Paced(rate, row));
    }
    return new Result(rows, null, null, batchRow, paced);
  }

  /**
   * An open-loop pass at {@code rate} msg/s of single publishes, latency from each due time. It
   * first runs at that rate until the JIT compilers of the hub and of this JVM (broker and load
   * generator) are idle again, as the hub's warm-up does at the peak: a change of load makes both
   * compile new paths, and on two cores that competes with the hub for the CPU its latency is
   * measured on.
   */
  private Report.Row pacedPass(String name, double rate) throws InterruptedException {
    String settled = settleAt(rate);
    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(params.pacedWarmup());
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
    Tracker paced = new Tracker(windowStart, windowEnd);
    consumer.track(paced);
    Cpu.Window window = new Cpu.Window(cpu, windowStart, windowEnd);
    System.out.printf(
        Locale.ROOT,
        "  %s: %.0f msg/s, %d s warm-up, %d s measured ...%n",
        name,
        rate,
        params.pacedWarmup(),
        params.seconds());
    Load.Sent sent =
        Load.openLoop(
            this::publish,
            mix,
            paced,
            k -> expected[k],
            rate,
            params.pacedMaxInFlight(),
            start,
            windowEnd);
    Cpu.Usage usage = window.usage();
    boolean drained =
        paced.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    consumer.track(null);
    return Report.row(
        name,
        paced,
        usage,
        sent,
        drained,
        String.format(
            Locale.ROOT,
            "open loop at %.0f msg/s, latency from each message's due time; %s; JIT compilers in"
                + " the window: the hub's %.2f, the benchmark's %.2f cores",
            rate,
            settled,
            Cpu.compilerCores(usage, false),
            Cpu.compilerCores(usage, true)));
  }

  /**
   * The profiled pass, after the measured ones ({@code bench.profile}) and after the hub's peak
   * resident memory is read: the peak's closed loop again, with the hub's flight recorder on, for
   * the method profile only (its figures are not reported). Returns {@code measured} with the
   * window to analyse.
   */
  public Result profiledPass(Result measured, Profiler profiler) throws Exception {
    System.out.printf(
        "  profiled pass (JFR on, not measured): %d s, %d requests in flight ...%n",
        params.seconds(), params.concurrency());
    profiler.start();
    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(LEAD_IN_SECONDS);
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
    Tracker profiled = new Tracker(windowStart, windowEnd);
    consumer.track(profiled);
    try {
      Load.closedLoop(
          this::publish,
          mix,
          profiled,
          k -> expected[k],
          params.concurrency(),
          params.backlogCap(),
          windowEnd);
      profiled.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    } finally {
      consumer.track(null);
      profiler.stop();
    }
    return new Result(
        measured.rows(),
        wallClockAt(windowStart),
        wallClockAt(windowEnd),
        measured.batchPeak(),
        measured.paced());
  }

  /**
   * Runs at {@code rate} in {@value #SETTLE_SLICE_SECONDS} s slices until, over a slice, the hub's
   * and this JVM's JIT compilers each used under {@value #SETTLED_COMPILER_CORES} cores (at most
   * {@value #SETTLE_MAX_SECONDS} s); says how long it took.
   */
  private String settleAt(double rate) throws InterruptedException {
    long begin = System.nanoTime();
    long max = begin + TimeUnit.SECONDS.toNanos(SETTLE_MAX_SECONDS);
    Tracker warm = new Tracker(begin, begin);
    consumer.track(warm);
    double hub = Double.NaN;
    double own = Double.NaN;
    while (System.nanoTime() - max < 0) {
      long sliceStart = System.nanoTime();
      Cpu.Snapshot before = cpu.take();
      Load.openLoop(
          this::publish,
          mix,
          warm,
          k -> expected[k],
          rate,
          params.pacedMaxInFlight(),
          sliceStart,
          sliceStart + TimeUnit.SECONDS.toNanos(SETTLE_SLICE_SECONDS));
      Cpu.Usage slice = Cpu.between(before, cpu.take());
      hub = Cpu.compilerCores(slice, false);
      own = Cpu.compilerCores(slice, true);
      if (hub < SETTLED_COMPILER_CORES && own < SETTLED_COMPILER_CORES) {
        break;
      }
    }
    warm.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    consumer.track(null);
    return String.format(
        Locale.ROOT,
        "settled %d s at this rate first (JIT compilers at the end: the hub's %.2f, the"
            + " benchmark's %.2f cores)",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin),
        hub,
        own);
  }

  /**
   * The peak with batch publishes: a closed loop of {@code bench.batch.concurrency} batches of
   * {@code bench.batch.size} messages, one sender's each; latency counts from the batch's send.
   */
  private Report.Row batchPeakPass() throws InterruptedException {
    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(params.pacedWarmup());
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
    Tracker t = new Tracker(windowStart, windowEnd);
    consumer.track(t);
    Cpu.Window window = new Cpu.Window(cpu, windowStart, windowEnd);
    System.out.printf(
        "  hub batch peak pass: batches of %d, %d in flight, %d s warm-up, %d s measured ...%n",
        params.batchSize(), params.batchConcurrency(), params.pacedWarmup(), params.seconds());
    Load.Sent sent =
        Load.closedLoopBatches(
            this::publishBatch,
            mix,
            t,
            k -> expected[k],
            params.batchConcurrency(),
            params.batchSize(),
            params.backlogCap(),
            windowEnd);
    Cpu.Usage usage = window.usage();
    boolean drained =
        t.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    consumer.track(null);
    return Report.row(
        "hub end to end, batch peak (closed loop)",
        t,
        usage,
        sent,
        drained,
        String.format(
            Locale.ROOT,
            "POST /messages/batch, %d messages each, %d batches in flight, at most %d undelivered",
            params.batchSize(),
            params.batchConcurrency(),
            params.backlogCap()));
  }

  /** What the hub must know before the mix is sent: consent, and with the case part the case. */
  private void setUp() throws Exception {
    for (MessageMix.Setup step : MessageMix.setup(java.nio.file.Path.of("schemas"))) {
      HttpRequest request =
          HttpRequest.newBuilder(target.hub().resolve(step.path()))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token(step.client()))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(step.body()))
              .build();
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (!step.ok().contains(r.statusCode())) {
        throw new IllegalStateException(
            "setting up the mix: POST "
                + step.path()
                + " as "
                + step.client()
                + " answered HTTP "
                + r.statusCode()
                + " "
                + r.body());
      }
    }
  }

  /**
   * Warms the hub at its peak until its JIT compilers have little left to do: slices of closed-loop
   * load until, over a whole slice, the compiler threads used under {@value
   * #SETTLED_COMPILER_CORES} cores (at least {@value #MIN_WARMUP_SECONDS} s, at most {@code
   * bench.hub.warmup} s). On two shared cores the hub's C2 compiler needs minutes of CPU; measured
   * before it settles, a quarter of the machine goes to compiling and the hub's code runs partly
   * unoptimised. Then waits for the warm-up's copies, so the measured pass starts with an empty
   * pipeline.
   */
  private void warmUp() throws InterruptedException {
    long begin = System.nanoTime();
    long max = begin + TimeUnit.SECONDS.toNanos(params.hubWarmup());
    Tracker warm = new Tracker(begin, begin);
    consumer.track(warm);
    System.out.printf(
        Locale.ROOT,
        "  hub warm-up: closed loop in %d s slices until its JIT compilers (and the benchmark's) use under %.2f cores (%d-%d s) ...%n",
        SLICE_SECONDS,
        SETTLED_COMPILER_CORES,
        Math.min(MIN_WARMUP_SECONDS, params.hubWarmup()),
        params.hubWarmup());
    double compiler = Double.NaN;
    while (System.nanoTime() - max < 0) {
      long sliceEnd = Math.min(max, System.nanoTime() + TimeUnit.SECONDS.toNanos(SLICE_SECONDS));
      Cpu.Snapshot before = cpu.take();
      Load.closedLoop(
          this::publish,
          mix,
          warm,
          k -> expected[k],
          params.concurrency(),
          params.backlogCap(),
          sliceEnd);
      Cpu.Usage slice = Cpu.between(before, cpu.take());
      compiler = Cpu.compilerCores(slice, false);
      double own = Cpu.compilerCores(slice, true);
      long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
      System.out.printf(
          Locale.ROOT,
          "    %3d s: JIT compilers %.2f cores (the benchmark's own %.2f)%n",
          elapsed,
          compiler,
          own);
      if (elapsed >= MIN_WARMUP_SECONDS
          && compiler < SETTLED_COMPILER_CORES
          && own < SETTLED_COMPILER_CORES) {
        break;
      }
    }
    warmUpSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
    warmUpCompilerCores = compiler;
    warm.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
    consumer.track(null);
  }

  /** How long the hub was warmed, and what its JIT compilers used in the last slice (cores). */
  public String warmUpNote() {
    return String.format(
        Locale.ROOT,
        "warmed %d s (JIT compilers at %.2f cores at the end)",
        warmUpSeconds,
        warmUpCompilerCores);
  }

  /**
   * Publishes one message of each kind and waits for its copies: each must reach exactly the
   * recipients routing.yaml gives it, or the benchmark would measure something else.
   */
  private void checkRouting() throws Exception {
    long now = System.nanoTime();
    Tracker check = new Tracker(now, now + TimeUnit.HOURS.toNanos(1));
    consumer.track(check);
    List<MessageMix.Message> sent = new ArrayList<>();
    for (int k = 0; k < MessageMix.KINDS.size(); k++) {
      MessageMix.Message m = mix.withId(k, 0, java.util.UUID.randomUUID().toString());
      expected[k] = MessageMix.KINDS.get(k).recipientMask();
      check.register(m.id(), System.nanoTime(), expected[k]);
      HttpResponse<String> response = http.send(request(m), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        throw new IllegalStateException(
            "the hub refused a "
                + m.kindInfo().name()
                + " message: HTTP "
                + response.statusCode()
                + " "
                + response.body());
      }
      sent.add(m);
    }
    boolean drained = check.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    consumer.track(null);
    if (!drained || check.unexpected.get() > 0) {
      StringBuilder why = new StringBuilder("the hub did not deliver the expected copies:");
      for (MessageMix.Message m : sent) {
        int arrived = check.arrivedMask(m.id());
        if (arrived >= 0) {
          why.append("\n  ")
              .append(m.kindInfo().name())
              .append(": got ")
              .append(MessageMix.agenciesOf(arrived))
              .append("; status ")
              .append(status(m));
        }
      }
      if (check.unexpected.get() > 0) {
        why.append("\n  copies to unexpected recipients: ").append(check.unexpected.get());
      }
      throw new IllegalStateException(why.toString());
    }
    System.out.println(
        "  routing check passed: each kind of message reached exactly its expected recipients");
  }

  private String status(MessageMix.Message m) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(target.hub().resolve("/api/v1/messages/" + m.id() + "/status"))
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + token(m.kindInfo().sender()))
              .GET()
              .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | InterruptedException | RuntimeException e) {
      return "(status unavailable: " + e.getMessage() + ")";
    }
  }

  private void publish(MessageMix.Message m, Consumer<String> done) {
    publisher.post(
        "/api/v1/messages",
        token(m.kindInfo().sender()),
        m.body(),
        PUBLISH_TIMEOUT_MILLIS,
        (status, body, failure) -> {
          if (failure != null) {
            done.accept(failure);
          } else if (status == 202) {
            done.accept(null);
          } else {
            if (firstFailureShown.compareAndSet(false, true)) {
              System.out.println("  first refused publish: HTTP " + status + " " + body);
            }
            done.accept("HTTP " + status);
          }
        });
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private void publishBatch(List<MessageMix.Message> batch, Consumer<List<String>> done) {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.write('[');
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(batch.get(i).body());
    }
    body.write(']');
    publisher.post(
        "/api/v1/messages/batch",
        token(batch.get(0).kindInfo().sender()),
        body.toByteArray(),
        BATCH_TIMEOUT_MILLIS,
        (status, answer, failure) -> {
          List<String> out = new ArrayList<>();
          if (failure != null || status != 200) {
            String why = failure != null ? failure : "HTTP " + status;
            if (failure == null && firstFailureShown.compareAndSet(false, true)) {
              System.out.println("  first refused batch: " + why + " " + answer);
            }
            batch.forEach(m -> out.add(why));
          } else {
            try {
              com.fasterxml.jackson.databind.JsonNode results =
                  JSON.readTree(answer).path("results");
              for (int i = 0; i < batch.size(); i++) {
                int itemStatus = results.path(i).path("status").asInt(-1);
                if (itemStatus != 202 && firstFailureShown.compareAndSet(false, true)) {
                  System.out.println(
                      "  first refused batch message: " + results.path(i).toString());
                }
                out.add(itemStatus == 202 ? null : "item HTTP " + itemStatus);
              }
            } catch (IOException | RuntimeException bad) {
              batch.forEach(m -> out.add("unreadable batch answer"));
            }
          }
          done.accept(out);
        });
  }

  private HttpRequest request(MessageMix.Message m) {
    return HttpRequest.newBuilder(target.hub().resolve("/api/v1/messages"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token(m.kindInfo().sender()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()))
        .build();
  }

  private synchronized String token(String client) {
    Token t = tokens.get(client);
    if (t == null || System.nanoTime() - t.fetchedNanos() > TOKEN_REUSE.toNanos()) {
      t = new Token(Tokens.fetch(target.issuer(), client), System.nanoTime());
      tokens.put(client, t);
    }
    return t.value();
  }

  private static Instant wallClockAt(long nanoTime) {
    return Instant.now().plusNanos(nanoTime - System.nanoTime());
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close();
    }
    publisher.close();
  }
}
