package org.safehub.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The offline verifier: checks an audit export against the hub's audit public key alone, trusting
 * nothing else the hub says, and names the first problem. It ships as a jar of its own that runs on
 * a JDK alone, without the hub's classpath ({@code target/safehub-audit-verifier.jar}: this class,
 * the audit classes it reads and Jackson, built by the pom's {@code audit-verifier} execution):
 *
 * <pre>
 * java -jar safehub-audit-verifier.jar --export audit.jsonl --public-key audit-public.pem
 * </pre>
 *
 * It prints {@code verified: N events, M checkpoints, root <hex>} and exits 0, or prints {@code
 * <kind> at seq <n>: <what>} (or {@code <kind>: <what>} when no single event can be named) and
 * exits 1; 2 for a usage error. Kinds: {@code altered}, {@code missing}, {@code reordered}, {@code
 * inserted}, {@code bad-checkpoint-signature}, {@code malformed}.
 *
 * <h2>Export format ({@value #FORMAT})</h2>
 *
 * JSON Lines, UTF-8, one object per line, each with a {@code type}:
 *
 * <ol>
 *   <li>{@code
 *       {"type":"header","format":"safehub-audit-export/1","fromSeq":a,"toSeq":b,"treeSize":n,"keyId":k}}
 *       first: the range exported in full and the size of the tree the export reaches (unsigned;
 *       informative).
 *   <li>{@code
 *       {"type":"checkpoint","treeSize":s,"rootHash":"<hex>","time":"<ISO-8601>","signature":"<base64>","keyId":k}}
 *       for every signed checkpoint of size up to {@code n}, ascending; the last has size {@code n}
 *       and covers seq {@code b}. See {@link Checkpoint} for the signed text.
 *   <li>One line per seq 0 .. n-1 in ascending order: {@code
 *       {"type":"event","seq":i,"leafHash":"<hex>","event":{...}}} with the event's canonical JSON
 *       (see {@link AuditEvent}) for a &le; i &le; b, and {@code
 *       {"type":"leaf","seq":i,"leafHash":"<hex>"}} (the hash only, no content) outside it, so that
 *       every checkpoint's root can be recomputed from a range that does not start at 0.
 * </ol>
 *
 * <h2>What is checked, in order</h2>
 *
 * <ol>
 *   <li>Every line parses and has a known type; else {@code malformed} (with its line number).
 *   <li>Every checkpoint's signature verifies with the given key: else {@code
 *       bad-checkpoint-signature}.
 *   <li>Per seq, the lowest seq reported first: a seq seen twice is {@code inserted}; a seq lower
 *       than one already seen is {@code reordered}; a seq never seen below the highest one, or
 *       below the last checkpoint's size, or a hash-only line inside the exported range is {@code
 *       missing}; a seq at or beyond the last checkpoint's size (no signature explains it) is
 *       {@code inserted}; an event whose recomputed leaf hash (SHA-256(0x00 || canonical bytes))
 *       differs from its line's, or that no longer parses, or whose inner seq differs, is {@code
 *       altered}.
 *   <li>Each checkpoint's root is recomputed from the leaves below its size: a mismatch is {@code
 *       altered}, naming the seq range between the previous checkpoint and this one (an edit that
 *       also rewrote the line's leaf hash cannot be pinned to one seq). Because every root comes
 *       from the same leaves, consecutive checkpoints are thereby consistent (append-only) as well.
 * </ol>
 */
public final class AuditVerifier {

  /** The export format this verifier reads, named in the header line. */
  public static final String FORMAT = "safehub-audit-export/1";

  private static final HexFormat HEX = HexFormat.of();

  private AuditVerifier() {}

  /** The kinds of problem the verifier names. */
  public enum Kind {
    ALTERED("altered"),
    MISSING("missing"),
    REORDERED("reordered"),
    INSERTED("inserted"),
    BAD_CHECKPOINT_SIGNATURE("bad-checkpoint-signature"),
    MALFORMED("malformed");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** What the verifier concluded. */
  public sealed interface Result permits Verified, Failed {
    boolean verified();

    /** The line the command prints. */
    String summary();
  }

  /**
   * The export checked out: {@code events} full events and {@code entries} seqs in all, under
   * {@code checkpoints} signed checkpoints, the last with {@code root}.
   */
  public record Verified(long events, long entries, int checkpoints, byte[] root)
      implements Result {
    public Verified {
      root = root.clone();
    }

    @Override
    public byte[] root() {
      return root.clone();
    }

    @Override
    public boolean verified() {
      return true;
    }

    @Override
    public String summary() {
      return "verified: "
          + events
          + " events, "
          + checkpoints
          + " checkpoints, root "
          + HEX.formatHex(root);
    }
  }

  /** The first problem found; {@code seq} is null when no single event can be named. */
  public record Failed(Kind kind, Long seq, String detail) implements Result {
    @Override
    public boolean verified() {
      return false;
    }

    @Override
    public String summary() {
      return kind.wire() + (seq == null ? "" : " at seq " + seq) + ": " + detail;
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The command: 0 verified, 1 a problem found, 2 a usage or input error. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String export = null;
    String publicKey = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--export") && i + 1 < args.length) {
        export = args[++i];
      } else if (args[i].equals("--public-key") && i + 1 < args.length) {
        publicKey = args[++i];
      } else {
        export = null;
        break;
      }
    }
    if (export == null || publicKey == null) {
      err.println("usage: AuditVerifier --export FILE --public-key PEMFILE");
      return 2;
    }
    try {
      PublicKey key =
          readPublicKeyPem(Files.readString(Path.of(publicKey), StandardCharsets.US_ASCII));
      Result result;
      try (Reader reader = Files.newBufferedReader(Path.of(export), StandardCharsets.UTF_8)) {
        result = verify(reader, key);
      }
      out.println(result.summary());
      return result.verified() ? 0 : 1;
    } catch (IOException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
  }

  /** Verifies an export (see the class header) against the hub's audit public key. */
  public static Result verify(Reader export, PublicKey key) throws IOException {
    BufferedReader lines = new BufferedReader(export);
    ExportEntries entries = new ExportEntries();
    List<Checkpoint> checkpoints = new ArrayList<>();
    List<Integer> checkpointLines = new ArrayList<>();
    List<ExportEntries.Problem> problems = new ArrayList<>();
    long fromSeq;
    long toSeq;

    String first = lines.readLine();
    if (first == null) {
      return new Failed(Kind.MALFORMED, null, "empty export: no header line");
    }
    try {
      JsonNode header = AuditEvent.MAPPER.readTree(first);
      if (!"header".equals(header.path("type").asText())
          || !FORMAT.equals(header.path("format").asText())) {
        return new Failed(Kind.MALFORMED, null, "line 1 is not a " + FORMAT + " header");
      }
      fromSeq = wholeNumber(header.get("fromSeq"));
      toSeq = wholeNumber(header.get("toSeq"));
      if (fromSeq < 0 || toSeq < fromSeq) {
        return new Failed(Kind.MALFORMED, null, "line 1: the header's range is not a range");
      }
    } catch (JsonProcessingException e) {
      return new Failed(Kind.MALFORMED, null, "line 1 is not JSON");
    }

    int lineNo = 1;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNo++;
      JsonNode node;
      try {
        node = AuditEvent.MAPPER.readTree(line);
      } catch (JsonProcessingException e) {
        return new Failed(Kind.MALFORMED, null, "line " + lineNo + " is not JSON");
      }
      String type = node == null ? "" : node.path("type").asText();
      switch (type) {
        case "checkpoint" -> {
          try {
            checkpoints.add(Checkpoint.fromJson(node, Set.of("type")));
            checkpointLines.add(lineNo);
          } catch (IllegalArgumentException e) {
            return new Failed(Kind.MALFORMED, null, "line " + lineNo + ": " + e.getMessage());
          }
        }
        case "event", "leaf" -> {
          long seq = wholeNumber(node.get("seq"));
          if (seq < 0 || seq >= Integer.MAX_VALUE) {
            return new Failed(Kind.MALFORMED, null, "line " + lineNo + ": no usable seq");
          }
          boolean isEvent = type.equals("event");
          byte[] hash = ExportEntries.readEntry(node, seq, isEvent, lineNo, problems);
          entries.add(seq, hash, isEvent, lineNo);
        }
        default -> {
          return new Failed(Kind.MALFORMED, null, "line " + lineNo + " has no known type");
        }
      }
    }

    for (int i = 1; i < checkpoints.size(); i++) {
      if (checkpoints.get(i).treeSize() <= checkpoints.get(i - 1).treeSize()) {
        return new Failed(
            Kind.MALFORMED,
            null,
            "line " + checkpointLines.get(i) + ": checkpoints are not in" + " ascending tree size");
      }
    }
    for (int i = 0; i < checkpoints.size(); i++) {
      if (!checkpoints.get(i).verify(key)) {
        return new Failed(
            Kind.BAD_CHECKPOINT_SIGNATURE,
            null,
            "the checkpoint at tree size "
                + checkpoints.get(i).treeSize()
                + " (line "
                + checkpointLines.get(i)
                + ") is not signed by this key");
      }
    }

    long signedSize =
        checkpoints.isEmpty() ? 0 : checkpoints.get(checkpoints.size() - 1).treeSize();
    entries.sequenceProblems(fromSeq, toSeq, signedSize, problems);
    ExportEntries.Problem firstProblem =
        problems.stream().min(ExportEntries.Problem.ORDER).orElse(null);
    if (firstProblem != null) {
      return new Failed(firstProblem.kind(), firstProblem.seq(), firstProblem.detail());
    }

    // entries are now exactly seq 0 .. size-1 in order
    MerkleTree.Accumulator tree = new MerkleTree.Accumulator();
    long previous = 0;
    for (Checkpoint checkpoint : checkpoints) {
      while (tree.size() < checkpoint.treeSize()) {
        tree.append(entries.hash((int) tree.size()));
      }
      byte[] root = tree.root();
      if (!MessageDigest.isEqual(root, checkpoint.rootHash())) {
        String range =
            previous == checkpoint.treeSize() - 1
                ? "seq " + previous
                : "seqs " + previous + ".." + (checkpoint.treeSize() - 1);
        return new Failed(
            Kind.ALTERED,
            null,
            "the events at "
                + range
                + " do not match the signed checkpoint at"
                + " tree size "
                + checkpoint.treeSize()
                + " (recomputed root "
                + HEX.formatHex(root)
                + ", signed "
                + checkpoint.rootHex()
                + ")");
      }
      previous = checkpoint.treeSize();
    }
    byte[] root =
        checkpoints.isEmpty()
            ? MerkleTree.emptyRoot()
            : checkpoints.get(checkpoints.size() - 1).rootHash();
    return new Verified(entries.events(), entries.size(), checkpoints.size(), root);
  }

  private static long wholeNumber(JsonNode node) {
    return node != null && node.isIntegralNumber() && node.canConvertToLong()
        ? node.longValue()
        : -1;
  }

  /**
   * Reads an ECDSA P-256 public key from PEM ({@code -----BEGIN PUBLIC KEY-----},
   * SubjectPublicKeyInfo).
   */
  public static PublicKey readPublicKeyPem(String pem) {
    String base64 =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    try {
      PublicKey key =
          KeyFactory.getInstance("EC")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      if (!Checkpoint.isP256(key)) {
        throw new IllegalArgumentException("the audit public key is not ECDSA P-256");
      }
      return key;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PEM ECDSA P-256 public key: " + e.getMessage(), e);
    }
  }

  /** Writes {@code key} as PEM, as {@link #readPublicKeyPem(String)} reads it. */
  public static String toPem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
