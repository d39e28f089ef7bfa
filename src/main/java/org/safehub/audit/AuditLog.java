package org.safehub.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The audit log in PostgreSQL: appends events under a single-writer lock, keeps the hashes of their Merkle tree in
 * PostgreSQL too ({@link TreeStore}: bounded memory, whatever the log's size), issues signed checkpoints, answers
 * auditors' queries and proofs, and exports ranges for the offline {@link AuditVerifier} (whose class header
 * documents the export format).
 *
 * <p>A written justification is never stored in an event: on append it is sealed by the
 * {@link JustificationSealer}, stored once per message in {@code audit_justification}, and the event carries the
 * sealed form's SHA-256 as {@code detail.justificationSeal}, which its leaf commits to. Queries open it again for
 * the auditor; the log verifies without the key.
 *
 * <p>Appends from every hub instance are serialized by a transaction-scoped advisory lock
 * ({@value #WRITER_LOCK}), so seqs are gapless and commit in order; the lock is held until the appending
 * transaction ends, so callers of {@link #appendInTransaction} should append last and commit promptly. Any
 * inconsistency found in the stored log (a gap, a malformed hash, history that no longer matches a signed
 * checkpoint) is an {@link IllegalStateException}: the log refuses to sign or prove over it.
 */
public final class AuditLog {

  /** The advisory lock key every appender takes; "SAFEHUB" then 0x01 as a 64-bit number. */
  public static final long WRITER_LOCK = 0x5341464548554201L;
  /** Largest page a query returns. */
  public static final int MAX_LIMIT = 1000;

  /** One statement for a whole append, its columns as arrays: one round trip and one plan, whatever the count. */
  private static final String INSERT = "insert into audit_event (seq, time, action, actor_agency, actor_client,"
      + " message_id, message_type, case_ref, recipient, legal_basis, event_json, leaf_hash)"
      + " select u.seq, u.time::timestamptz, u.action, u.actor_agency, u.actor_client, u.message_id::uuid, u.message_type,"
      + " u.case_ref, u.recipient, u.legal_basis, u.event_json, u.leaf_hash"
      + " from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
      + " ?::text[], ?::bytea[]) as u(seq, time, action, actor_agency, actor_client, message_id, message_type, case_ref, recipient,"
      + " legal_basis, event_json, leaf_hash)";
  private static final String CHECKPOINT_COLUMNS = "tree_size, root_hash, time, signature, key_id";
  private static final int FETCH = 10_000;

  private final DataSource dataSource;
  private final CheckpointSigner signer;
  private final Settings settings;
  private final Clock clock;
  private final JustificationSealer justifications;
  private final TreeStore tree;

  /** The detail key under which an event carries the SHA-256 (hex) of its message's sealed justification. */
  public static final String JUSTIFICATION_SEAL = "justificationSeal";

  /**
   * When {@link #maybeCheckpoint()} signs: once {@code everyEvents} events have been appended since the last
   * checkpoint, or once {@code interval} has passed since it and at least one event has.
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
   * An auditor's query; null fields do not filter. {@code agency} matches the actor or the recipient;
   * {@code from} is inclusive and {@code to} exclusive; results are in seq order after {@code afterSeq}.
   */
  public record Filter(String caseRef, String agency, AuditAction action, String legalBasis, Instant from, Instant to,
      Long afterSeq, int limit) {
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
      return new Filter(caseRef, agency, action, legalBasis, fromInclusive, toExclusive, afterSeq, limit);
    }

    public Filter after(Long seq) {
      return new Filter(caseRef, agency, action, legalBasis, from, to, seq, limit);
    }

    public Filter limit(int value) {
      return new Filter(caseRef, agency, action, legalBasis, from, to, afterSeq, value);
    }
  }

  /** One page of events; {@code nextAfterSeq} is the {@code afterSeq} for the next page, or null at the end. */
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

    /** Whether this proof places the event in the tree with {@code root} (e.g. a signed checkpoint's). */
    public boolean verify(byte[] root) {
      return MerkleTree.verifyInclusion(seq, treeSize, leafHash, path, root);
    }
  }

  /** The proof that the tree of {@code oldSize} events is a prefix of the tree of {@code newSize}. */
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
    this(dataSource, CheckpointSigner.of(keys), JustificationSealer.NONE, settings, Clock.systemUTC());
  }

  public AuditLog(DataSource dataSource, KeyPair keys, JustificationSealer justifications, Settings settings) {
    this(dataSource, CheckpointSigner.of(keys), justifications, settings, Clock.systemUTC());
  }

  public AuditLog(DataSource dataSource, CheckpointSigner signer, JustificationSealer justifications, Settings settings) {
    this(dataSource, signer, justifications, settings, Clock.systemUTC());
  }

  /** Fails at once unless {@code signer} signs with ECDSA P-256 what its public key verifies. */
  public AuditLog(DataSource dataSource, CheckpointSigner signer, JustificationSealer justifications, Settings settings, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.signer = Checkpoint.requireWorking(signer);
    this.justifications = Objects.requireNonNull(justifications, "justifications");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tree = new TreeStore(dataSource);
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
   * Takes {@code decision} and appends the events it returns in one transaction: both commit, or neither does
   * (an append that fails undoes the decision). Returns the result with the events as stored.
   */
  public <T> Decided<T> decide(Decision<T> decision) {
    try {
      return inTransaction(false, c -> {
        Decided<T> d = decision.decide(c);
        return new Decided<>(d.result(), appendInTransaction(c, d.events()));
      });
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not record the decision with its audit events", e);
    }
  }

  /** The key auditors verify checkpoints with. */
  public PublicKey publicKey() {
    return signer.publicKey();
  }

  /** Appends {@code events} in one transaction of its own; returns them with their seqs. */
  public List<AuditEvent> append(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    try {
      return inTransaction(false, c -> appendInTransaction(c, events));
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not append to the audit log", e);
    }
  }

  /**
   * Appends {@code events} inside the caller's open READ COMMITTED transaction, so they commit or roll back with
   * the decision they record. Takes the writer lock until that transaction ends. Any seq on the events is
   * replaced; returns them with the seqs they will have once committed.
   */
  public List<AuditEvent> appendInTransaction(Connection c, List<AuditEvent> events) throws SQLException {
    if (c.getAutoCommit()) {
      throw new IllegalStateException("audit events are appended inside a transaction; auto-commit is on");
    }
    if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
      // a snapshot taken before the lock would not see the last committed seq
      throw new IllegalStateException("audit appends need READ COMMITTED isolation");
    }
    if (events.isEmpty()) {
      return List.of();
    }
    lockWriter(c);
    events = sealJustifications(c, events);
    long next;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select coalesce(max(seq) + 1, 0) from audit_event")) {
      rs.next();
      next = rs.getLong(1);
    }
    int n = events.size();
    List<AuditEvent> stored = new ArrayList<>(n);
    Long[] seqs = new Long[n];
    String[][] text = new String[10][n];
    byte[][] leafHashes = new byte[n][];
    for (int i = 0; i < n; i++) {
      AuditEvent e = events.get(i).withSeq(next++);
      byte[] json = e.canonicalBytes();
      seqs[i] = e.seq();
      text[0][i] = OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC).toString();
      text[1][i] = e.action().wire();
      text[2][i] = e.actorAgency();
      text[3][i] = e.actorClient();
      text[4][i] = e.messageId() == null ? null : e.messageId().toString();
      text[5][i] = e.messageType();
      text[6][i] = e.caseRef();
      text[7][i] = e.recipient();
      text[8][i] = e.legalBasis();
      text[9][i] = new String(json, StandardCharsets.UTF_8);
      leafHashes[i] = MerkleTree.leafHash(json);
      stored.add(e);
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setArray(1, c.createArrayOf("bigint", seqs));
      for (int k = 0; k < text.length; k++) {
        ps.setArray(2 + k, c.createArrayOf("text", text[k]));
      }
      ps.setArray(12, c.createArrayOf("bytea", leafHashes));
      int inserted = ps.executeUpdate();
      if (inserted != n) {
        throw new SQLException("audit append wrote " + inserted + " of " + n + " events");
      }
    }
    return stored;
  }

  /** How many events the log holds (committed). */
  public long size() {
    return tree.sync();
  }

  /** MTH of the first {@code treeSize} events. */
  public byte[] root(long treeSize) {
    return tree.root(treeSize);
  }

  /** Signs a checkpoint if {@link Settings} say one is due; call it after appends and on a timer. */
  public Optional<Checkpoint> maybeCheckpoint() {
    long size = size();
    Optional<Checkpoint> latest = latestCheckpoint();
    long since = size - latest.map(Checkpoint::treeSize).orElse(0L);
    if (since <= 0) {
      return Optional.empty();
    }
    boolean due = latest.isEmpty()
        || since >= settings.everyEvents()
        || !clock.instant().isBefore(latest.get().time().plus(settings.interval()));
    return due ? Optional.of(checkpointNow()) : Optional.empty();
  }

  /**
   * Signs a checkpoint of every event committed now, unless the latest checkpoint already covers them all, in
   * which case that one is returned. Refuses if the stored log no longer matches the latest checkpoint.
   */
  public Checkpoint checkpointNow() {
    try {
      return inTransaction(false, c -> {
        lockWriter(c);
        long size = tree.sync();
        Optional<Checkpoint> latest = latestCheckpoint(c);
        if (latest.isPresent()) {
          Checkpoint last = latest.get();
          if (last.treeSize() > size || !MessageDigest.isEqual(tree.root(last.treeSize()), last.rootHash())) {
            throw new IllegalStateException("the stored audit log no longer matches the checkpoint at tree size "
                + last.treeSize() + "; refusing to sign");
          }
          if (last.treeSize() == size) {
            return last;
          }
        }
        Checkpoint checkpoint = Checkpoint.sign(size, tree.root(size), clock.instant(), signer);
        try (PreparedStatement ps = c.prepareStatement("insert into audit_checkpoint (" + CHECKPOINT_COLUMNS
            + ") values (?, ?, ?, ?, ?) on conflict (tree_size) do nothing")) {
          ps.setLong(1, checkpoint.treeSize());
          ps.setBytes(2, checkpoint.rootHash());
          ps.setObject(3, OffsetDateTime.ofInstant(checkpoint.time(), ZoneOffset.UTC));
          ps.setBytes(4, checkpoint.signature());
          ps.setString(5, checkpoint.keyId());
          ps.executeUpdate();
        }
        return checkpoint(c, size).orElseThrow();
      });
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not write an audit checkpoint", e);
    }
  }

  public Optional<Checkpoint> latestCheckpoint() {
    try (Connection c = dataSource.getConnection()) {
      return latestCheckpoint(c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** The checkpoint of exactly {@code treeSize} events, if one was signed. */
  public Optional<Checkpoint> checkpoint(long treeSize) {
    try (Connection c = dataSource.getConnection()) {
      return checkpoint(c, treeSize);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** Checkpoints with a tree size above {@code afterTreeSize}, smallest first, at most {@code limit}. */
  public List<Checkpoint> checkpoints(long afterTreeSize, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select " + CHECKPOINT_COLUMNS
            + " from audit_checkpoint where tree_size > ? order by tree_size limit ?")) {
      ps.setLong(1, afterTreeSize);
      ps.setInt(2, limit);
      return readCheckpoints(ps);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** Events matching {@code f}, in seq order, one page at a time. */
  public Page query(Filter f) {
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    condition(conditions, params, "case_ref = ?", f.caseRef());
    condition(conditions, params, "action = ?", f.action() == null ? null : f.action().wire());
    condition(conditions, params, "legal_basis = ?", f.legalBasis());
    condition(conditions, params, "time >= ?", f.from() == null ? null : OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
    condition(conditions, params, "time < ?", f.to() == null ? null : OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
    condition(conditions, params, "seq > ?", f.afterSeq());
    String rest = conditions.isEmpty() ? "" : " and " + String.join(" and ", conditions);
    String sql;
    List<Object> all = new ArrayList<>();
    if (f.agency() == null) {
      sql = "select seq, event_json from audit_event where true" + rest + " order by seq limit ?";
      all.addAll(params);
    } else {
      // one ordered index scan per side, merged: an OR across two indexes would sort every match
      sql = "select seq, event_json from ("
          + "(select seq, event_json from audit_event where actor_agency = ?" + rest + " order by seq limit ?)"
          + " union "
          + "(select seq, event_json from audit_event where recipient = ?" + rest + " order by seq limit ?)"
          + ") matched order by seq limit ?";
      all.add(f.agency());
      all.addAll(params);
      all.add(f.limit() + 1);
      all.add(f.agency());
      all.addAll(params);
      all.add(f.limit() + 1);
    }
    all.add(f.limit() + 1);
    return page(sql, all, f.limit());
  }

  /**
   * Copies delivered on a basis other than consent (or with none recorded), with their justification, in seq
   * order; {@code from} inclusive, {@code to} exclusive, either may be null.
   */
  public Page sharedWithoutConsent(Instant from, Instant to, Long afterSeq, int limit) {
    Filter f = new Filter(null, null, null, null, from, to, afterSeq, limit);
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    condition(conditions, params, "time >= ?", f.from() == null ? null : OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
    condition(conditions, params, "time < ?", f.to() == null ? null : OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
    condition(conditions, params, "seq > ?", f.afterSeq());
    String rest = conditions.isEmpty() ? "" : " and " + String.join(" and ", conditions);
    // the predicate is written exactly as the partial index's, so the planner can use it
    String sql = "select seq, event_json from audit_event where action = 'delivered'"
        + " and legal_basis is distinct from 'consent'" + rest + " order by seq limit ?";
    params.add(f.limit() + 1);
    return page(sql, params, f.limit());
  }

  /** The audit path for event {@code seq} in the tree of the first {@code treeSize} events. */
  public InclusionProof inclusionProof(long seq, long treeSize) {
    TreeStore.Inclusion inclusion = tree.inclusionProof(seq, treeSize);
    return new InclusionProof(seq, treeSize, inclusion.leaf(), inclusion.path());
  }

  /** The consistency proof from the tree of {@code oldSize} events to the tree of {@code newSize}. */
  public ConsistencyProof consistencyProof(long oldSize, long newSize) {
    return new ConsistencyProof(oldSize, newSize, tree.consistencyProof(oldSize, newSize));
  }

  /**
   * Writes events {@code fromSeq..toSeq} (inclusive) as JSON Lines in the format {@link AuditVerifier} documents:
   * a header, every checkpoint up to the first that covers {@code toSeq}, then one line per seq from 0 to that
   * checkpoint's size, in full inside the range and as a bare leaf hash outside it. Signs a checkpoint first if
   * none covers {@code toSeq} yet. Returns the covering checkpoint.
   */
  public Checkpoint export(long fromSeq, long toSeq, Writer out) throws IOException {
    long size = size();
    if (fromSeq < 0 || fromSeq > toSeq || toSeq >= size) {
      throw new IllegalArgumentException("no events " + fromSeq + ".." + toSeq + " in a log of " + size);
    }
    Checkpoint cover = firstCheckpointAbove(toSeq).orElseGet(this::checkpointNow);
    HexFormat hex = HexFormat.of();
    try {
      inTransaction(true, c -> {
        line(out, g -> {
          g.writeStringField("type", "header");
          g.writeStringField("format", AuditVerifier.FORMAT);
          g.writeNumberField("fromSeq", fromSeq);
          g.writeNumberField("toSeq", toSeq);
          g.writeNumberField("treeSize", cover.treeSize());
          g.writeStringField("keyId", cover.keyId());
        });
        List<Checkpoint> checkpoints;
        try (PreparedStatement ps = c.prepareStatement("select " + CHECKPOINT_COLUMNS
            + " from audit_checkpoint where tree_size <= ? order by tree_size")) {
          ps.setLong(1, cover.treeSize());
          checkpoints = readCheckpoints(ps);
        }
        for (Checkpoint checkpoint : checkpoints) {
          line(out, g -> {
            g.writeStringField("type", "checkpoint");
            checkpoint.writeFields(g);
          });
        }
        try (PreparedStatement ps = c.prepareStatement("select seq, leaf_hash,"
            + " case when seq between ? and ? then event_json end from audit_event where seq < ? order by seq")) {
          ps.setFetchSize(FETCH);
          ps.setLong(1, fromSeq);
          ps.setLong(2, toSeq);
          ps.setLong(3, cover.treeSize());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long seq = rs.getLong(1);
              String leaf = hex.formatHex(rs.getBytes(2));
              String json = rs.getString(3);
              line(out, g -> {
                g.writeStringField("type", json == null ? "leaf" : "event");
                g.writeNumberField("seq", seq);
                g.writeStringField("leafHash", leaf);
                if (json != null) {
                  // exactly as stored: the verifier, not the exporter, judges it
                  g.writeFieldName("event");
                  g.writeRawValue(json);
                }
              });
            }
          }
        }
        return null;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("could not export the audit log", e);
    }
    out.flush();
    return cover;
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static void line(Writer out, Fields fields) throws IOException {
    JsonGenerator g = AuditEvent.JSON.createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.writeStartObject();
    fields.write(g);
    g.writeEndObject();
    g.close();
    out.write('\n');
  }

  private Optional<Checkpoint> firstCheckpointAbove(long seq) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select " + CHECKPOINT_COLUMNS
            + " from audit_checkpoint where tree_size > ? order by tree_size limit 1")) {
      ps.setLong(1, seq);
      return readCheckpoints(ps).stream().findFirst();
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  private Page page(String sql, List<Object> params, int limit) {
    List<AuditEvent> events = new ArrayList<>();
    boolean more = false;
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (events.size() == limit) {
            more = true;
            break;
          }
          long seq = rs.getLong(1);
          AuditEvent event = AuditEvent.fromJson(rs.getString(2));
          if (event.seq() != seq) {
            throw new IllegalStateException("stored audit event " + seq + " carries seq " + event.seq());
          }
          events.add(event);
        }
      }
      events = openJustifications(c, events);
    } catch (SQLException e) {
      throw new IllegalStateException("could not query the audit log", e);
    }
    return new Page(events, more ? events.get(events.size() - 1).seq() : null);
  }

  private static void condition(List<String> conditions, List<Object> params, String sql, Object value) {
    if (value != null) {
      conditions.add(sql);
      params.add(value);
    }
  }

  private static void lockWriter(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
      ps.setLong(1, WRITER_LOCK);
      ps.execute();
    }
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  /** Runs {@code work} in a transaction of its own, leaving the (possibly pooled) connection as it found it. */
  private <T> T inTransaction(boolean readOnly, Work<T> work) throws SQLException, IOException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      boolean wasReadOnly = c.isReadOnly();
      c.setAutoCommit(false);
      c.setReadOnly(readOnly);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setReadOnly(wasReadOnly);
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** Replaces each justification by its seal: sealed and stored once per message, under the writer lock. */
  private List<AuditEvent> sealJustifications(Connection c, List<AuditEvent> events) throws SQLException {
    Map<UUID, String> texts = new LinkedHashMap<>();
    for (AuditEvent e : events) {
      if (e.justification() != null) {
        if (e.messageId() == null) {
          throw new IllegalArgumentException("a justification is recorded only with its message");
        }
        texts.putIfAbsent(e.messageId(), e.justification());
      }
    }
    if (texts.isEmpty()) {
      return events;
    }
    Map<UUID, String> seals = new HashMap<>();
    HexFormat hex = HexFormat.of();
    try (PreparedStatement ps = c.prepareStatement(
        "select message_id, sealed_sha256 from audit_justification where message_id = any (?)")) {
      ps.setArray(1, c.createArrayOf("uuid", texts.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seals.put(rs.getObject(1, UUID.class), hex.formatHex(rs.getBytes(2)));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "insert into audit_justification (message_id, sealed, sealed_sha256, time) values (?, ?, ?, ?)")) {
      boolean any = false;
      for (Map.Entry<UUID, String> t : texts.entrySet()) {
        if (seals.containsKey(t.getKey())) {
          continue; // once per message: later events of the message point at the first seal
        }
        byte[] sealed = justifications.seal(t.getKey(), t.getValue());
        byte[] digest = sha256(sealed);
        ps.setObject(1, t.getKey());
        ps.setBytes(2, sealed);
        ps.setBytes(3, digest);
        ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        ps.addBatch();
        any = true;
        seals.put(t.getKey(), hex.formatHex(digest));
      }
      if (any) {
        ps.executeBatch();
      }
    }
    List<AuditEvent> out = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      if (e.justification() == null) {
        out.add(e);
        continue;
      }
      Map<String, String> detail = new HashMap<>(e.detail());
      detail.put(JUSTIFICATION_SEAL, seals.get(e.messageId()));
      out.add(new AuditEvent(e.seq(), e.time(), e.action(), e.actorAgency(), e.actorClient(), e.messageId(), e.messageType(),
          e.caseRef(), e.recipient(), e.legalBasis(), e.reason(), e.categories(), null, detail));
    }
    return out;
  }

  /** The events with their justification opened from its seal (left out if the key is gone or the seal is). */
  private List<AuditEvent> openJustifications(Connection c, List<AuditEvent> events) throws SQLException {
    HexFormat hex = HexFormat.of();
    List<byte[]> wanted = new ArrayList<>();
    for (AuditEvent e : events) {
      String seal = e.detail().get(JUSTIFICATION_SEAL);
      if (seal != null && e.justification() == null) {
        wanted.add(hex.parseHex(seal));
      }
    }
    if (wanted.isEmpty()) {
      return events;
    }
    Map<String, String> opened = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "select message_id, sealed, sealed_sha256 from audit_justification where sealed_sha256 = any (?)")) {
      ps.setArray(1, c.createArrayOf("bytea", wanted.toArray(new byte[0][])));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          UUID messageId = rs.getObject(1, UUID.class);
          byte[] sealed = rs.getBytes(2);
          if (!MessageDigest.isEqual(sha256(sealed), rs.getBytes(3))) {
            continue; // altered in the table: what the leaf committed to is gone
          }
          try {
            opened.put(messageId + "/" + hex.formatHex(rs.getBytes(3)), justifications.open(messageId, sealed));
          } catch (RuntimeException e) {
            // the audit key was destroyed for retention, or the seal was moved: the event stands without it
          }
        }
      }
    }
    List<AuditEvent> out = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      String seal = e.detail().get(JUSTIFICATION_SEAL);
      String text = seal == null ? null : opened.get(e.messageId() + "/" + seal);
      out.add(text == null ? e : new AuditEvent(e.seq(), e.time(), e.action(), e.actorAgency(), e.actorClient(), e.messageId(),
          e.messageType(), e.caseRef(), e.recipient(), e.legalBasis(), e.reason(), e.categories(), text, e.detail()));
    }
    return out;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static Optional<Checkpoint> latestCheckpoint(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select " + CHECKPOINT_COLUMNS
        + " from audit_checkpoint order by tree_size desc limit 1")) {
      return readCheckpoints(ps).stream().findFirst();
    }
  }

  private static Optional<Checkpoint> checkpoint(Connection c, long treeSize) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select " + CHECKPOINT_COLUMNS
        + " from audit_checkpoint where tree_size = ?")) {
      ps.setLong(1, treeSize);
      return readCheckpoints(ps).stream().findFirst();
    }
  }

  private static List<Checkpoint> readCheckpoints(PreparedStatement ps) throws SQLException {
    List<Checkpoint> checkpoints = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        checkpoints.add(new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
            rs.getBytes(4), rs.getString(5)));
      }
    }
    return checkpoints;
  }
}
