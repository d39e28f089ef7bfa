package org.safehub.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.safehub.audit.AuditVerifier.Kind;

/**
 * The entry lines of an export ({@code event} and {@code leaf}) as the {@link AuditVerifier} reads
 * them, in file order, in flat arrays so a million of them stay small; and the checks of each line
 * and of their sequence.
 */
final class ExportEntries {

  private static final Set<String> ENTRY_FIELDS = Set.of("type", "seq", "leafHash", "event");
  private static final HexFormat HEX = HexFormat.of();

  private long[] seqs = new long[1024];
  private int[] lines = new int[1024];
  private byte[] hashes = new byte[1024 * MerkleTree.HASH_LENGTH];
  private final BitSet events = new BitSet();
  private int size;

  void add(long seq, byte[] hash, boolean isEvent, int line) {
    if (size == seqs.length) {
      if (size > Integer.MAX_VALUE / (4 * MerkleTree.HASH_LENGTH)) {
        throw new IllegalArgumentException(
            "the export has more entries than this verifier holds in memory");
      }
      seqs = Arrays.copyOf(seqs, size * 2);
      lines = Arrays.copyOf(lines, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2 * MerkleTree.HASH_LENGTH);
    }
    seqs[size] = seq;
    lines[size] = line;
    System.arraycopy(hash, 0, hashes, size * MerkleTree.HASH_LENGTH, MerkleTree.HASH_LENGTH);
    events.set(size, isEvent);
    size++;
  }

  int size() {
    return size;
  }

  /** How many full events (not hash-only lines) were read. */
  long events() {
    return events.cardinality();
  }

  byte[] hash(int i) {
    return Arrays.copyOfRange(hashes, i * MerkleTree.HASH_LENGTH, (i + 1) * MerkleTree.HASH_LENGTH);
  }

  /**
   * The hash an entry line contributes to the tree; records what is wrong with it in {@code
   * problems}.
   */
  static byte[] readEntry(
      JsonNode node, long seq, boolean isEvent, int lineNo, List<Problem> problems) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ENTRY_FIELDS.contains(name) || (!isEvent && name.equals("event"))) {
        problems.add(
            new Problem(Kind.ALTERED, seq, "line " + lineNo + " has an unexpected field " + name));
        return new byte[MerkleTree.HASH_LENGTH];
      }
    }
    byte[] claimed;
    try {
      claimed = HEX.parseHex(node.path("leafHash").asText());
      if (claimed.length != MerkleTree.HASH_LENGTH) {
        throw new IllegalArgumentException("wrong length");
      }
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(Kind.ALTERED, seq, "line " + lineNo + " has no usable leaf hash"));
      return new byte[MerkleTree.HASH_LENGTH];
    }
    if (!isEvent) {
      return claimed;
    }
    AuditEvent event;
    try {
      event = AuditEvent.fromJson(node.get("event"));
    } catch (IllegalArgumentException e) {
      problems.add(
          new Problem(
              Kind.ALTERED,
              seq,
              "the event on line "
                  + lineNo
                  + " is no longer a valid audit"
                  + " event ("
                  + e.getMessage()
                  + ")"));
      return claimed;
    }
    if (event.seq() != seq) {
      problems.add(
          new Problem(
              Kind.ALTERED, seq, "the event on line " + lineNo + " says it is seq " + event.seq()));
      return claimed;
    }
    byte[] recomputed = event.leafHash();
    if (!MessageDigest.isEqual(recomputed, claimed)) {
      problems.add(
          new Problem(
              Kind.ALTERED,
              seq,
              "the event's content on line " + lineNo + " no longer matches its leaf hash"));
    }
    return recomputed;
  }

  /**
   * Records seqs seen twice, out of order, missing, or beyond the last signed checkpoint, in {@code
   * problems}.
   */
  void sequenceProblems(long fromSeq, long toSeq, long signedSize, List<Problem> problems) {
    BitSet seen = new BitSet();
    long maxSeen = -1;
    for (int i = 0; i < size; i++) {
      int seq = (int) seqs[i];
      int line = lines[i];
      if (seen.get(seq)) {
        problems.add(
            new Problem(
                Kind.INSERTED, seq, "seq " + seq + " appears a second time, on line " + line));
      } else if (seq < maxSeen) {
        problems.add(
            new Problem(
                Kind.REORDERED,
                seq,
                "seq " + seq + " appears on line " + line + ", after seq " + maxSeen));
      }
      if (!events.get(i) && seq >= fromSeq && seq <= toSeq) {
        problems.add(
            new Problem(
                Kind.MISSING,
                seq,
                "seq "
                    + seq
                    + " is inside the exported range "
                    + fromSeq
                    + ".."
                    + toSeq
                    + " but its content is missing (hash only, line "
                    + line
                    + ")"));
      }
      seen.set(seq);
      maxSeen = Math.max(maxSeen, seq);
    }
    int gap = seen.nextClearBit(0);
    if (gap < maxSeen) {
      problems.add(
          new Problem(
              Kind.MISSING,
              gap,
              "seq "
                  + gap
                  + " is missing"
                  + (gap > 0
                      ? " (between seq " + (gap - 1) + " and seq " + seen.nextSetBit(gap) + ")"
                      : "")));
    }
    if (maxSeen + 1 > signedSize) {
      problems.add(
          new Problem(
              Kind.INSERTED,
              signedSize,
              (maxSeen == signedSize
                      ? "seq " + maxSeen + " is"
                      : "seqs " + signedSize + ".." + maxSeen + " are")
                  + " beyond every signed checkpoint (the last covers "
                  + signedSize
                  + " events)"));
    } else if (maxSeen + 1 < signedSize) {
      problems.add(
          new Problem(
              Kind.MISSING,
              maxSeen + 1,
              "the log ends at seq "
                  + maxSeen
                  + " but a signed"
                  + " checkpoint covers "
                  + signedSize
                  + " events"));
    }
    if (toSeq > maxSeen) {
      problems.add(
          new Problem(
              Kind.MISSING,
              maxSeen + 1,
              "the export was of seqs " + fromSeq + ".." + toSeq + " but ends at seq " + maxSeen));
    }
  }

  /**
   * One problem found, at {@code seq}; the lowest seq is reported, and at one seq the first kind in
   * PRECEDENCE.
   */
  record Problem(Kind kind, long seq, String detail) {
    private static final List<Kind> PRECEDENCE =
        List.of(Kind.INSERTED, Kind.REORDERED, Kind.MISSING, Kind.ALTERED);
    static final Comparator<Problem> ORDER =
        Comparator.comparingLong((Problem p) -> p.seq)
            .thenComparing(p -> PRECEDENCE.indexOf(p.kind));
  }
}
