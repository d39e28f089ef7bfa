package org.safehub.crypto;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Random;

/**
 * A rough one-thread rate measurement, not a test and not JMH: copies sealed per second for RSA and
 * EC recipients and at-rest records sealed and opened per second, 1 KiB each, after a warm-up.
 * {@code java -cp target/classes:target/test-classes:CLASSPATH org.safehub.crypto.SealingThroughput
 * [warmupSeconds] [measureSeconds]}
 */
public final class SealingThroughput {
  interface Op {
    Object run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    long warmup = args.length > 0 ? Long.parseLong(args[0]) : 10;
    long measure = args.length > 1 ? Long.parseLong(args[1]) : 10;
    byte[] content = new byte[1024];
    new Random(1).nextBytes(content);
    Path dir = Files.createTempDirectory("throughput");
    HubKeys hub = HubKeys.loadOrCreate(dir.resolve("hub.p12"), "bench".toCharArray());
    CopySealer sealer = new CopySealer(hub.signingKey());
    CopyOpener opener = new CopyOpener();
    AgencyCertificate rsa3072 = AgencyKeyGenerator.generate("bench-rsa", RecipientKeyType.RSA, dir);
    AgencyCertificate ec = AgencyKeyGenerator.generate("bench-ec", RecipientKeyType.EC_P256, dir);
    TestCerts.Agency rsa2048 = rsa2048();
    PrivateKey rsaKey = PemKeys.readPrivateKey(AgencyKeyGenerator.keyFile(dir, "bench-rsa"));
    PrivateKey ecKey = PemKeys.readPrivateKey(AgencyKeyGenerator.keyFile(dir, "bench-ec"));
    byte[] rsaCopy = sealer.seal(content, rsa3072);
    byte[] ecCopy = sealer.seal(content, ec);
    AtRestSealer atRest = new AtRestSealer(hub.keyEncryptionKey(), AtRestSealer.DekPolicy.DEFAULT);
    byte[] aad = AtRestSealer.aad("safehub.inbound", "0b5e-key".getBytes(StandardCharsets.UTF_8));
    byte[] record = atRest.seal(content, aad);

    System.out.printf(
        "one thread, 1 KiB content, warm-up %d s, measured %d s, %s%n",
        warmup, measure, System.getProperty("java.vm.version"));
    rate(
        "CopySealer.seal, RSA-3072 recipient (OAEP)",
        warmup,
        measure,
        () -> sealer.seal(content, rsa3072));
    rate(
        "CopySealer.seal, RSA-2048 recipient (OAEP)",
        warmup,
        measure,
        () -> sealer.seal(content, rsa2048.parsed()));
    rate(
        "CopySealer.seal, EC P-256 recipient (ECDH)",
        warmup,
        measure,
        () -> sealer.seal(content, ec));
    rate(
        "CopyOpener.open, RSA-3072",
        warmup,
        measure,
        () -> opener.open(rsaCopy, rsaKey, rsa3072.certificate(), hub.signingCertificate()));
    rate(
        "CopyOpener.open, EC P-256",
        warmup,
        measure,
        () -> opener.open(ecCopy, ecKey, ec.certificate(), hub.signingCertificate()));
    rate("AtRestSealer.seal", warmup, measure, () -> atRest.seal(content, aad));
    rate("AtRestSealer.open", warmup, measure, () -> atRest.open(record, aad));
  }

  private static TestCerts.Agency rsa2048() throws Exception {
    var keys = TestCerts.rsa(2048);
    var cert = TestCerts.cert(keys);
    return new TestCerts.Agency(
        "bench-rsa2048",
        keys.getPrivate(),
        cert,
        AgencyCertificate.parsePem("bench-rsa2048", TestCerts.pem(cert)));
  }

  private static void rate(String name, long warmupSeconds, long measureSeconds, Op op)
      throws Exception {
    loop(op, warmupSeconds * 1_000_000_000L);
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuBefore = threads.getCurrentThreadCpuTime();
    long[] result = loop(op, measureSeconds * 1_000_000_000L);
    double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / result[0];
    double perSecond = result[0] * 1e9 / result[1];
    // this thread's CPU time per op too: on a shared machine it moves far less than the wall clock
    System.out.printf(
        "%-46s %,10.0f ops/s  (%,.1f us/op; CPU %,.1f us/op)%n",
        name, perSecond, 1e6 / perSecond, cpuMicros);
  }

  private static long[] loop(Op op, long nanos) throws Exception {
    long start = System.nanoTime();
    long end = start + nanos;
    long count = 0;
    Object sink = null;
    long now;
    do {
      sink = op.run();
      count++;
      now = System.nanoTime();
    } while (now < end);
    if (sink == null) {
      throw new IllegalStateException();
    }
    return new long[] {count, now - start};
  }
}
