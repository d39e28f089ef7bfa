package org.safehub.audit;

import java.io.IOException;
import java.io.Writer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The audit log in PostgreSQL: appends events under a single-writer lock, keeps the hashes of their
 * Merkle tree in PostgreSQL too ({@link TreeStore}: bounded memory, whatever the log's size),
 * issues signed checkpoints, answers auditors' queries and proofs, and exports ranges for the
 * offline {@link AuditVerifier} (whose class header documents the export format). This class is the
 * one entry point and holds the log's vocabulary; each job is a class of its own: {@link
 * AuditAppender} (append, with {@link SealedJustifications}), {@link AuditCheckpoints}, {@link
 * AuditQueries}, {@link AuditProofs} and {@link AuditExport}.
 *
 * <p>A written justification is never stored in an event: on append it is sealed by the {@link
 * JustificationSealer}, stored once per message in {@code audit_justification}, and the event
 * carries the sealed form's SHA-256 as {@code detail.justificationSeal}, which its leaf commits to.
 * Queries open it again for the auditor; the log verifies without the key.
 *
 * <p>Appends from every hub instance are serialized by a transaction-scoped advisory lock ({@value
 * #WRITER_LOCK}), so seqs are gapless and commit in order; the lock is held until the appending
 * transaction ends, so callers of {@link #appendInTransaction} should append last and commit
 * promptly. Any inconsistency found in the stored log (a gap, a malformed hash, history that no
 * longer matches a signed checkpoint) is an {@link IllegalStateException}: the log refuses to sign
 * or prove over it.
 */
public final class AuditLog {

  /** The advisory lock key every appender takes; "SAFEHUB" then 0x01 as a 64-bit number. */
  public static final long WRITER_LOCK = 0x5341464548554201L;

  /** Largest page a query returns. */
  public static final int MAX_LIMIT = 1000;

  private final CheckpointSigner signer;
  private final AuditAppender appender;
  private final AuditCheckpoints checkpoints;
  private final AuditQueries queries;
  private final AuditProofs proofs;
  private final AuditExport exporter;

  /**
   * The detail key under which an event carries the SHA-256 (hex) of its message's sealed
   * justification.
   */
  public static final String JUSTIFICATION_SEAL = "justificationSeal";

  /**
   * When {@link #maybeCheckpoint()} signs: once {@code everyEvents} events have been appended since
   * the last checkpoint, or once {@code interval} has passed since it and at least one event has.
   */
  public record Settings(int everyEvents, Duration interval) {
    public Settings {
      if (everyEvents < 1) {
        throw new IllegalArgumentException("a checkpoint needs at least 1 event between them");
      }
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("the checkpoint interval must be positive");
      }
    }

    /** Every 1000 events or every minute. */
    public static Settings defaults() {
      return new Settings(1000, Duration.ofMinutes(1));
    }
  }

  /**
   * An auditor's query; null fields do not filter. {@code agency} matches the actor or the
   * recipient; {@code from} is inclusive and {@code to} exclusive; results are in seq order after
   * {@code afterSeq}.
   */
  public record Filter(
      String caseRef,
      String agency,
      AuditAction action,
      String legalBasis,
      Instant from,
      Instant to,
      Long afterSeq,
      int limit) {
    public Filter {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
      }
      if (afterSeq != null && afterSeq < -1) {
        throw new IllegalArgumentException("afterSeq must be -1 or more");
      }
    }

    /** Everything, 100 at a time. */
    public static Filter all() {
      return new Filter(null, null, null, null, null, null, null, 100);
    }

    public Filter caseRef(String value) {
      return new Filter(value, agency, action, legalBasis, from, to, afterSeq, limit);
    }

    public Filter agency(String value) {
      return new Filter(caseRef, value, action, legalBasis, from, to, afterSeq, limit);
    }

    public Filter action(AuditAction value) {
      return new Filter(caseRef, agency, value, legalBasis, from, to, afterSeq, limit);
    }

    public Filter legalBasis(String value) {
      return new Filter(caseRef, agency, action, value, from, to, afterSeq, limit);
    }

    public Filter between(Instant fromInclusive, Instant toExclusive) {
      return new Filter(
          caseRef, agency, action, legalBasis, fromInclusive, toExclusive, afterSeq, limit);
    }

    public Filter after(Long seq) {
      return new Filter(caseRef, agency, action, legalBasis, from, to, seq, limit);
    }

    public Filter limit(int value) {
      return new Filter(caseRef, agency, action, legalBasis, from, to, afterSeq, value);
    }
  }

  /**
   * One page of events; {@code nextAfterSeq} is the {@code afterSeq} for the next page, or null at
   * the end.
   */
  public record Page(List<AuditEvent> events, Long nextAfterSeq) {
    public Page {
      events = List.copyOf(events);
    }
  }

  /** The audit path of event {@code seq} in the tree of the first {@code treeSize} events. */
  public record InclusionProof(long seq, long treeSize, byte[] leafHash, List<byte[]> path) {
    public InclusionProof {
      path = List.copyOf(path);
    }

    /**
     * Whether this proof places the event in the tree with {@code root} (e.g. a signed
     * checkpoint's).
     */
    public boolean verify(byte[] root) {
      return MerkleTree.verifyInclusion(seq, treeSize, leafHash, path, root);
    }
  }

  /**
   * The proof that the tree of {@code oldSize} events is a prefix of the tree of {@code newSize}.
   */
  public record ConsistencyProof(long oldSize, long newSize, List<byte[]> path) {
    public ConsistencyProof {
      path = List.copyOf(path);
    }

    public boolean verify(byte[] oldRoot, byte[] newRoot) {
      return MerkleTree.verifyConsistency(oldSize, newSize, oldRoot, newRoot, path);
    }
  }

  /** A log that refuses events carrying a justification (it has no key to seal them with). */
  public AuditLog(DataSource dataSource, KeyPair keys, Settings settings) {
    this(
        dataSource,
        CheckpointSigner.of(keys),
        JustificationSealer.NONE,
        settings,
        Clock.systemUTC());
  }

  public AuditLog(
      DataSource dataSource, KeyPair keys, JustificationSealer justifications, Settings settings) {
    this(dataSource, CheckpointSigner.of(keys), justifications, settings, Clock.systemUTC());
  }

  public AuditLog(
      DataSource dataSource,
      CheckpointSigner signer,
      JustificationSealer justifications,
      Settings settings) {
    this(dataSource, signer, justifications, settings, Clock.systemUTC());
  }

  /** Fails at once unless {@code signer} signs with ECDSA P-256 what its public key verifies. */
  public AuditLog(
      DataSource dataSource,
      CheckpointSigner signer,
      JustificationSealer justifications,
      Settings settings,
      Clock clock) {
    Objects.requireNonNull(dataSource, "dataSource");
    this.signer = Checkpoint.requireWorking(signer);
    AuditTransactions db = new AuditTransactions(dataSource);
    SealedJustifications sealed = new SealedJustifications(justifications, clock);
    TreeStore tree = new TreeStore(dataSource);
    this.appender = new AuditAppender(db, sealed);
    this.checkpoints = new AuditCheckpoints(db, tree, this.signer, settings, clock);
    this.queries = new AuditQueries(dataSource, sealed);
    this.proofs = new AuditProofs(tree);
    this.exporter = new AuditExport(db, proofs, checkpoints);
  }

  /** What a decision changed, and the events that record it. */
  public record Decided<T>(T result, List<AuditEvent> events) {
    public Decided {
      events = List.copyOf(events);
    }
  }

  /** A decision taken on a connection inside a transaction the log owns. */
  public interface Decision<T> {
    Decided<T> decide(Connection c) throws SQLException;
  }

  /**
   * Takes {@code decision} and appends the events it returns in one transaction: both commit, or
   * neither does (an append that fails undoes the decision). Returns the result with the events as
   * stored.
   */
  public <T> Decided<T> decide(Decision<T> decision) {
    return appender.decide(decision);
  }

  /** The key auditors verify checkpoints with. */
  public PublicKey publicKey() {
    return signer.publicKey();
  }

  /** Appends {@code events} in one transaction of its own; returns them with their seqs. */
  public List<AuditEvent> append(List<AuditEvent> events) {
    return appender.append(events);
  }

  /**
   * Appends {@code events} inside the caller's open READ COMMITTED transaction, so they commit or
   * roll back with the decision they record. Takes the writer lock until that transaction ends. Any
   * seq on the events is replaced; returns them with the seqs they will have once committed.
   */
  public List<AuditEvent> appendInTransaction(Connection c, List<AuditEvent> events)
      throws SQLException {
    return appender.appendInTransaction(c, events);
  }

  /** How many events the log holds (committed). */
  public long size() {
    return proofs.size();
  }

  /** MTH of the first {@code treeSize} events. */
  public byte[] root(long treeSize) {
    return proofs.root(treeSize);
  }

  /**
   * Signs a checkpoint if {@link Settings} say one is due; call it after appends and on a timer.
   */
  public Optional<Checkpoint> maybeCheckpoint() {
    return checkpoints.maybeCheckpoint();
  }

  /**
   * Signs a checkpoint of every event committed now, unless the latest checkpoint already covers
   * them all, in which case that one is returned. Refuses if the stored log no longer matches the
   * latest checkpoint.
   */
  public Checkpoint checkpointNow() {
    return checkpoints.checkpointNow();
  }

  public Optional<Checkpoint> latestCheckpoint() {
    return checkpoints.latest();
  }

  /** The checkpoint of exactly {@code treeSize} events, if one was signed. */
  public Optional<Checkpoint> checkpoint(long treeSize) {
    return checkpoints.exactly(treeSize);
  }

  /**
   * Checkpoints with a tree size above {@code afterTreeSize}, smallest first, at most {@code
   * limit}.
   */
  public List<Checkpoint> checkpoints(long afterTreeSize, int limit) {
    return checkpoints.after(afterTreeSize, limit);
  }

  /** Events matching {@code f}, in seq order, one page at a time. */
  public Page query(Filter f) {
    return queries.query(f);
  }

  /**
   * The same matches as {@link #query(Filter)}, newest first: {@code afterSeq} then means "older
   * than", and {@link Page#nextAfterSeq()} continues below the page's last seq.
   */
  public Page queryNewestFirst(Filter f) {
    return queries.query(f, true);
  }

  /**
   * Copies delivered on a basis other than consent (or with none recorded), with their
   * justification, in seq order; {@code from} inclusive, {@code to} exclusive, either may be null.
   */
  public Page sharedWithoutConsent(Instant from, Instant to, Long afterSeq, int limit) {
    return queries.sharedWithoutConsent(from, to, afterSeq, limit);
  }

  /** The audit path for event {@code seq} in the tree of the first {@code treeSize} events. */
  public InclusionProof inclusionProof(long seq, long treeSize) {
    return proofs.inclusionProof(seq, treeSize);
  }

  /**
   * The consistency proof from the tree of {@code oldSize} events to the tree of {@code newSize}.
   */
  public ConsistencyProof consistencyProof(long oldSize, long newSize) {
    return proofs.consistencyProof(oldSize, newSize);
  }

  /**
   * Writes events {@code fromSeq..toSeq} (inclusive) as JSON Lines in the format {@link
   * AuditVerifier} documents: a header, every checkpoint up to the first that covers {@code toSeq},
   * then one line per seq from 0 to that checkpoint's size, in full inside the range and as a bare
   * leaf hash outside it. Signs a checkpoint first if none covers {@code toSeq} yet. Returns the
   * covering checkpoint.
   */
  public Checkpoint export(long fromSeq, long toSeq, Writer out) throws IOException {
    return exporter.export(fromSeq, toSeq, out);
  }
}
