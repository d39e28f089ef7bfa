package org.safehub.audit;

import java.time.Duration;
import java.util.HexFormat;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Started by {@link AuditTreeScaleIT} in a JVM of its own with a small heap: opens the audit log of
 * the database at {@code args[0]}, indexes it, signs a checkpoint and checks inclusion and
 * consistency proofs against it. Prints {@code root=<hex>} and exits 0 only if every proof
 * verified.
 */
public final class TreeProbe {

  private TreeProbe() {}

  public static void main(String[] args) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(args[0]);
    ds.setUser(args[1]);
    long t = System.nanoTime();
    AuditLog log =
        new AuditLog(
            ds,
            AuditDatabase.p256(),
            JustificationSealer.NONE,
            new AuditLog.Settings(1000, Duration.ofMinutes(1)));
    long size = log.size();
    long indexed = System.nanoTime() - t;
    Checkpoint checkpoint = log.checkpointNow();
    boolean ok = checkpoint.treeSize() == size;
    for (long seq : new long[] {0, size / 3, size / 2 + 1, size - 1}) {
      ok &= log.inclusionProof(seq, size).verify(checkpoint.rootHash());
    }
    for (long m : new long[] {1, size / 2, size - 300}) {
      ok &= log.consistencyProof(m, size).verify(log.root(m), checkpoint.rootHash());
    }
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "size=%d indexedMs=%d maxHeapMiB=%d usedMiB=%d%n",
        size,
        indexed / 1_000_000,
        rt.maxMemory() >> 20,
        (rt.totalMemory() - rt.freeMemory()) >> 20);
    System.out.println("root=" + HexFormat.of().formatHex(checkpoint.rootHash()));
    System.exit(ok ? 0 : 2);
  }
}
