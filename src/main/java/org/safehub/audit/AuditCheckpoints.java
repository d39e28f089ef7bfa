package org.safehub.audit;

import java.io.IOException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signed checkpoints in {@code audit_checkpoint}: signs one when {@link AuditLog.Settings} say it
 * is due (or on demand), refusing to sign over stored history that no longer matches the latest
 * one, and reads them back.
 */
final class AuditCheckpoints {

  private static final String COLUMNS = "tree_size, root_hash, time, signature, key_id";

  private final AuditTransactions db;
  private final TreeStore tree;
  private final CheckpointSigner signer;
  private final AuditLog.Settings settings;
  private final Clock clock;

  AuditCheckpoints(
      AuditTransactions db,
      TreeStore tree,
      CheckpointSigner signer,
      AuditLog.Settings settings,
      Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.tree = Objects.requireNonNull(tree, "tree");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** See {@link AuditLog#maybeCheckpoint()}. */
  Optional<Checkpoint> maybeCheckpoint() {
    long size = tree.sync();
    Optional<Checkpoint> latest = latest();
    long since = size - latest.map(Checkpoint::treeSize).orElse(0L);
    if (since <= 0) {
      return Optional.empty();
    }
    boolean due =
        latest.isEmpty()
            || since >= settings.everyEvents()
            || !clock.instant().isBefore(latest.get().time().plus(settings.interval()));
    return due ? Optional.of(checkpointNow()) : Optional.empty();
  }

  /** See {@link AuditLog#checkpointNow()}. */
  Checkpoint checkpointNow() {
    try {
      return db.inTransaction(
          false,
          c -> {
            AuditTransactions.lockWriter(c);
            long size = tree.sync();
            Optional<Checkpoint> latest = latest(c);
            if (latest.isPresent()) {
              Checkpoint last = latest.get();
              if (last.treeSize() > size
                  || !MessageDigest.isEqual(tree.root(last.treeSize()), last.rootHash())) {
                throw new IllegalStateException(
                    "the stored audit log no longer matches the checkpoint at tree size "
                        + last.treeSize()
                        + "; refusing to sign");
              }
              if (last.treeSize() == size) {
                return last;
              }
            }
            Checkpoint checkpoint = Checkpoint.sign(size, tree.root(size), clock.instant(), signer);
            try (PreparedStatement ps =
                c.prepareStatement(
                    "insert into audit_checkpoint ("
                        + COLUMNS
                        + ") values (?, ?, ?, ?, ?) on conflict (tree_size) do nothing")) {
              ps.setLong(1, checkpoint.treeSize());
              ps.setBytes(2, checkpoint.rootHash());
              ps.setObject(3, OffsetDateTime.ofInstant(checkpoint.time(), ZoneOffset.UTC));
              ps.setBytes(4, checkpoint.signature());
              ps.setString(5, checkpoint.keyId());
              ps.executeUpdate();
            }
            return exactly(c, size).orElseThrow();
          });
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("could not write an audit checkpoint", e);
    }
  }

  Optional<Checkpoint> latest() {
    try (Connection c = db.dataSource().getConnection()) {
      return latest(c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** The checkpoint of exactly {@code treeSize} events, if one was signed. */
  Optional<Checkpoint> exactly(long treeSize) {
    try (Connection c = db.dataSource().getConnection()) {
      return exactly(c, treeSize);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /**
   * Checkpoints with a tree size above {@code afterTreeSize}, smallest first, at most {@code
   * limit}.
   */
  List<Checkpoint> after(long afterTreeSize, int limit) {
    if (limit < 1 || limit > AuditLog.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + AuditLog.MAX_LIMIT);
    }
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select "
                    + COLUMNS
                    + " from audit_checkpoint where tree_size > ? order by tree_size limit ?")) {
      ps.setLong(1, afterTreeSize);
      ps.setInt(2, limit);
      return read(ps);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** The first checkpoint that covers event {@code seq}, if one was signed. */
  Optional<Checkpoint> firstAbove(long seq) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select "
                    + COLUMNS
                    + " from audit_checkpoint where tree_size > ? order by tree_size limit 1")) {
      ps.setLong(1, seq);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw new IllegalStateException("could not read audit checkpoints", e);
    }
  }

  /** Every checkpoint of at most {@code treeSize} events, smallest first, read on {@code c}. */
  static List<Checkpoint> upTo(Connection c, long treeSize) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select "
                + COLUMNS
                + " from audit_checkpoint where tree_size <= ? order by tree_size")) {
      ps.setLong(1, treeSize);
      return read(ps);
    }
  }

  private static Optional<Checkpoint> latest(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select " + COLUMNS + " from audit_checkpoint order by tree_size desc limit 1")) {
      return read(ps).stream().findFirst();
    }
  }

  private static Optional<Checkpoint> exactly(Connection c, long treeSize) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select " + COLUMNS + " from audit_checkpoint where tree_size = ?")) {
      ps.setLong(1, treeSize);
      return read(ps).stream().findFirst();
    }
  }

  private static List<Checkpoint> read(PreparedStatement ps) throws SQLException {
    List<Checkpoint> checkpoints = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        checkpoints.add(
            new Checkpoint(
                rs.getLong(1),
                rs.getBytes(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getBytes(4),
                rs.getString(5)));
      }
    }
    return checkpoints;
  }
}
