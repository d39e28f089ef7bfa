package org.safehub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.copy.Copy;
import org.safehub.copy.JsonCopyWriter;
import org.safehub.copy.Recipient;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.AtRestSealer;
import org.safehub.crypto.CopySealer;
import org.safehub.crypto.HubKeys;
import org.safehub.crypto.RecipientKeyType;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.StrictJson;
import org.safehub.validation.ValidationResult;

/**
 * The crypto-and-validation limit: on every core, parse and validate each message once with the
 * hub's own {@link StrictJson} and {@link SchemaCatalogue}, then sign and seal each of its copies
 * with {@link CopySealer} for that recipient's certificate. Also makes the demo agency keys the hub
 * will use (so both measure the same RSA / EC mix) and the record sizes the raw Kafka pass
 * reproduces.
 */
final class CryptoPhase {

  /** The hub's signing key and each demo agency's certificate, kept in {@code dir}. */
  record Keys(Path dir, HubKeys hub, Map<String, AgencyCertificate> certificates) {
    Path agencyDir() {
      return dir.resolve("agencies");
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      certificates.forEach(
          (id, c) ->
              parts.add(
                  id + " " + (c.keyType() == RecipientKeyType.RSA ? "RSA-3072" : "EC P-256")));
      return String.join(", ", parts);
    }
  }

  /**
   * Per kind and size step: the sealed inbound record's size, and per recipient agency the copy
   * document (unredacted) and its sealed size.
   */
  record Sizes(int[][] inbound, byte[][][][] copyDocuments, int[][][] sealedCopy) {
    double meanInbound() {
      long total = 0;
      int n = 0;
      for (int[] perKind : inbound) {
        for (int size : perKind) {
          total += size;
          n++;
        }
      }
      return (double) total / n;
    }

    double meanSealedCopy() {
      long total = 0;
      int n = 0;
      for (int k = 0; k < sealedCopy.length; k++) {
        for (int[] perStep : sealedCopy[k]) {
          for (int r :
              MessageMix.KINDS.get(k).recipients().stream()
                  .mapToInt(MessageMix.AGENCIES::indexOf)
                  .toArray()) {
            total += perStep[r];
            n++;
          }
        }
      }
      return (double) total / n;
    }
  }

  private CryptoPhase() {}

  /**
   * Demo keys as the hub's development bootstrap makes them (RSA-3072 and EC P-256 alternately, in
   * agencies.yaml order), written where the hub looks for them, plus a hub signing key for this
   * process.
   */
  static Keys makeKeys(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("agencies"));
    HubKeys hub = HubKeys.loadOrCreate(dir.resolve("bench-hub.p12"), "bench-only".toCharArray());
    Map<String, AgencyCertificate> certificates = new LinkedHashMap<>();
    for (int i = 0; i < MessageMix.AGENCIES.size(); i++) {
      String id = MessageMix.AGENCIES.get(i);
      RecipientKeyType type = i % 2 == 0 ? RecipientKeyType.RSA : RecipientKeyType.EC_P256;
      AgencyKeyGenerator.generate(id, type, dir.resolve("agencies"));
      // loaded from PEM the way the hub loads a registered certificate
      String pem =
          Files.readString(AgencyKeyGenerator.certificateFile(dir.resolve("agencies"), id));
      certificates.put(id, AgencyCertificate.parsePem(id, pem));
    }
    return new Keys(dir, hub, certificates);
  }

  static StrictJson strictJson() {
    // the hub's default ingress limits (SafehubConfig.Ingress)
    return new StrictJson(64, 65536, 40, 262144, 4096);
  }

  static Sizes sizes(MessageMix mix, Keys keys, Path configDir) throws Exception {
    StrictJson json = strictJson();
    ObjectMapper mapper = json.mapper();
    AgencyDirectory agencies = AgencyDirectory.load(configDir);
    CopySealer sealer = new CopySealer(keys.hub().signingKey());
    AtRestSealer atRest =
        new AtRestSealer(keys.hub().keyEncryptionKey(), AtRestSealer.DekPolicy.DEFAULT);
    JsonCopyWriter documents = new JsonCopyWriter(mapper);
    int kinds = MessageMix.KINDS.size();
    int agencyCount = MessageMix.AGENCIES.size();
    int[][] inbound = new int[kinds][mix.steps()];
    byte[][][][] docs = new byte[kinds][mix.steps()][agencyCount][];
    int[][][] sealed = new int[kinds][mix.steps()][agencyCount];
    for (int k = 0; k < kinds; k++) {
      MessageMix.Kind kind = MessageMix.KINDS.get(k);
      for (int s = 0; s < mix.steps(); s++) {
        MessageMix.Message m = mix.withId(k, s, java.util.UUID.randomUUID().toString());
        JsonNode node = ((StrictJson.Parsed.Ok) json.parse(m.body())).node();
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        byte[] record = new InboundRecord(kind.sender(), receivedAt, node).encode(mapper);
        inbound[k][s] =
            atRest.seal(
                    record,
                    AtRestSealer.aad("safehub.inbound", m.id().getBytes(StandardCharsets.UTF_8)))
                .length;
        for (String recipient : kind.recipients()) {
          int r = MessageMix.AGENCIES.indexOf(recipient);
          Copy copy =
              new Copy(
                  Envelope.of(node),
                  kind.sender(),
                  receivedAt,
                  agencies
                      .find(recipient)
                      .map(a -> new Recipient(a.id(), a.type().name()))
                      .orElseThrow(),
                  node,
                  List.of());
          docs[k][s][r] = mapper.writeValueAsBytes(documents.document(copy));
          sealed[k][s][r] = sealer.seal(docs[k][s][r], keys.certificates().get(recipient)).length;
        }
      }
    }
    return new Sizes(inbound, docs, sealed);
  }

  /** Runs the loop on {@code threads} threads: warm-up, then the measured window. */
  static Report.Row run(BenchParams params, MessageMix mix, Keys keys, Sizes sizes, Path schemasDir)
      throws Exception {
    StrictJson json = strictJson();
    SchemaCatalogue catalogue = SchemaCatalogue.load(schemasDir, json.mapper());
    CopySealer sealer = new CopySealer(keys.hub().signingKey());
    int kinds = MessageMix.KINDS.size();
    byte[][][] bodies = new byte[kinds][mix.steps()][];
    AgencyCertificate[][] recipients = new AgencyCertificate[kinds][];
    int[][] recipientIndex = new int[kinds][];
    for (int k = 0; k < kinds; k++) {
      for (int s = 0; s < mix.steps(); s++) {
        bodies[k][s] = mix.withId(k, s, java.util.UUID.randomUUID().toString()).body();
      }
      List<String> to = MessageMix.KINDS.get(k).recipients();
      recipients[k] = to.stream().map(keys.certificates()::get).toArray(AgencyCertificate[]::new);
      recipientIndex[k] = to.stream().mapToInt(MessageMix.AGENCIES::indexOf).toArray();
    }

    long start = System.nanoTime();
    long windowStart = start + TimeUnit.SECONDS.toNanos(params.warmup());
    long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
    AtomicLong messages = new AtomicLong();
    AtomicLong copies = new AtomicLong();
    AtomicLong sink = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < params.cryptoThreads(); t++) {
      int first = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  long n = first;
                  long bytes = 0;
                  while (true) {
                    int k = (int) (n % kinds);
                    int s = (int) ((n / kinds) % mix.steps());
                    n++;
                    StrictJson.Parsed parsed = json.parse(bodies[k][s]);
                    if (!(parsed instanceof StrictJson.Parsed.Ok ok)
                        || !(catalogue.validate(ok.node()) instanceof ValidationResult.Valid)) {
                      throw new IllegalStateException("a benchmark message did not validate");
                    }
                    for (int i = 0; i < recipients[k].length; i++) {
                      bytes +=
                          sealer.seal(
                                  sizes.copyDocuments()[k][s][recipientIndex[k][i]],
                                  recipients[k][i])
                              .length;
                    }
                    long now = System.nanoTime();
                    if (now - windowEnd >= 0) {
                      break;
                    }
                    if (now - windowStart >= 0) {
                      messages.incrementAndGet();
                      copies.addAndGet(recipients[k].length);
                    }
                  }
                  sink.addAndGet(bytes);
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "bench-crypto-" + t);
      worker.setDaemon(true);
      workers.add(worker);
    }
    Cpu cpu = new Cpu();
    workers.forEach(Thread::start);
    parkUntil(windowStart);
    Cpu.Snapshot before = cpu.take();
    parkUntil(windowEnd);
    Cpu.Snapshot after = cpu.take();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("crypto loop failed: " + failures.get(0), failures.get(0));
    }
    Cpu.Usage usage = Cpu.between(before, after);
    double seconds = usage.wallSeconds();
    long m = messages.get();
    return new Report.Row(
        "crypto + validation alone",
        m / seconds,
        copies.get() / seconds,
        Latencies.Summary.NONE,
        m == 0 ? Double.NaN : usage.selfSeconds() * 1000 / m,
        String.format(
            Locale.ROOT, "bench JVM %.2f", m == 0 ? Double.NaN : usage.selfSeconds() * 1000 / m),
        usage.machineBusy(),
        String.format(
            "%d threads, in-process; %d messages, %d copies sealed in the window",
            params.cryptoThreads(), m, copies.get()),
        usage);
  }

  /** Waits until {@code deadline} (System.nanoTime()); only used to time measurement windows. */
  static void parkUntil(long deadline) {
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
