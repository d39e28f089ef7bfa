package org.safehub.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The log's Merkle tree kept in PostgreSQL, not in memory: the hash of every complete aligned
 * subtree of 2^{@value #BLOCK_LEVEL} or more leaves is stored in {@code audit_subtree} as it
 * completes, so a root or a proof for any tree size reads O(log n) of those rows plus at most one
 * block of leaf hashes from {@code audit_event}. Memory is bounded whatever the log's size: a
 * frontier of at most 64 hashes while indexing, and small LRU caches of nodes and blocks.
 * Thread-safe; several hub instances may index the same log (they write the same rows).
 */
final class TreeStore implements MerkleTree.Subtrees {

  /**
   * Subtrees of 2^8 = 256 leaves and up are stored; smaller ones are computed from one block of
   * leaves.
   */
  static final int BLOCK_LEVEL = 8;

  static final int BLOCK = 1 << BLOCK_LEVEL;

  /** Blocks indexed per transaction while catching up: about a million leaves. */
  private static final int BLOCKS_PER_CHUNK = 4096;

  private static final int NODE_CACHE = 8192;
  private static final int BLOCK_CACHE = 16;
  private static final int FETCH = 10_000;

  private final DataSource dataSource;

  /** Leaves committed as of the last {@link #sync()}. */
  private long size = -1;

  /** Complete blocks whose subtrees are stored. */
  private long blocks;

  /**
   * frontier[k]: the last stored node of level k when its index is even (waiting for its right
   * sibling).
   */
  private final byte[][] frontier = new byte[64][];

  private final Map<Long, byte[]> nodes = TreeStoreSupport.lru(NODE_CACHE);
  private final Map<Long, byte[][]> blockLeaves = TreeStoreSupport.lru(BLOCK_CACHE);
  private byte[][] tail;
  private long tailBlock = -1;
  private long tailEnd;

  /** The connection the current operation reads through (set only while the monitor is held). */
  private Connection reading;

  TreeStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Indexes every committed leaf not yet indexed; returns how many events the log holds. */
  synchronized long sync() {
    try (Connection c = dataSource.getConnection()) {
      return sync(c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not index the audit log", e);
    }
  }

  private long sync(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    try {
      if (size < 0) {
        loadFrontier(c);
      }
      long committed;
      try (PreparedStatement ps =
              c.prepareStatement("select coalesce(max(seq) + 1, 0) from audit_event");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        committed = rs.getLong(1);
      }
      if (committed == size) {
        return size;
      }
      c.setAutoCommit(false);
      while (blocks < committed / BLOCK) {
        indexChunk(c, Math.min(committed / BLOCK, blocks + BLOCKS_PER_CHUNK));
      }
      // the leaves after the last complete block are read on demand; they too must be gapless
      try (PreparedStatement ps =
          c.prepareStatement("select count(*) from audit_event where seq >= ? and seq < ?")) {
        ps.setLong(1, blocks * BLOCK);
        ps.setLong(2, committed);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) != committed - blocks * BLOCK) {
            throw new IllegalStateException(
                "the audit log has a gap after seq " + (blocks * BLOCK - 1));
          }
        }
      }
      c.commit();
      size = committed;
      return size;
    } catch (SQLException e) {
      size = -1; // re-read the frontier next time: a chunk may not have committed
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** An event's leaf hash and its audit path in the tree of {@code treeSize} events. */
  record Inclusion(byte[] leaf, List<byte[]> path) {}

  synchronized Inclusion inclusionProof(long index, long treeSize) {
    return synced(
        treeSize,
        () -> {
          if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("no event " + index + " in a tree of " + treeSize);
          }
          return new Inclusion(
              readLeaves(index, index + 1)[0], MerkleTree.inclusionProof(index, treeSize, this));
        });
  }

  /** MTH of the first {@code treeSize} leaves. */
  synchronized byte[] root(long treeSize) {
    return synced(treeSize, () -> treeSize == 0 ? MerkleTree.emptyRoot() : hash(0, treeSize));
  }

  synchronized List<byte[]> consistencyProof(long oldSize, long newSize) {
    return synced(
        newSize,
        () -> {
          if (oldSize < 0 || oldSize > newSize) {
            throw new IllegalArgumentException(
                "no consistency proof from " + oldSize + " to " + newSize);
          }
          return MerkleTree.consistencyProof(oldSize, newSize, this);
        });
  }

  /**
   * MTH(D[from:to]) for the ranges the RFC 9162 recursion visits; only called with the monitor and
   * a connection.
   */
  @Override
  public byte[] hash(long from, long to) {
    long width = to - from;
    if (Long.bitCount(width) == 1 && from % width == 0) {
      int k = Long.numberOfTrailingZeros(width);
      if (k >= BLOCK_LEVEL) {
        return node(k, from >>> k);
      }
      byte[][] leaves = block(from / BLOCK, to);
      int offset = (int) (from % BLOCK);
      return TreeStoreSupport.subtree(leaves, offset, offset + (int) width);
    }
    long k = MerkleTree.largestPowerOfTwoBelow(width);
    return MerkleTree.nodeHash(hash(from, from + k), hash(from + k, to));
  }

  private interface Read<T> {
    T run() throws SQLException;
  }

  /**
   * Brings the index up to date and runs {@code read} on one connection, once {@code treeSize} is
   * known to exist.
   */
  private <T> T synced(long treeSize, Read<T> read) {
    try (Connection c = dataSource.getConnection()) {
      long now = sync(c);
      if (treeSize < 0 || treeSize > now) {
        throw new IllegalArgumentException(
            "tree size " + treeSize + " is beyond the log's " + now + " events");
      }
      reading = c;
      return read.run();
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the audit tree", e);
    } catch (UncheckedSql e) {
      throw new IllegalStateException("could not read the audit tree", e.getCause());
    } finally {
      reading = null;
    }
  }

  private static final class UncheckedSql extends RuntimeException {
    UncheckedSql(SQLException cause) {
      super(cause);
    }
  }

  /**
   * The stored node of level {@code k} at {@code index}; it exists for every complete subtree
   * indexed.
   */
  private byte[] node(int k, long index) {
    Long key = TreeStoreSupport.key(k, index);
    byte[] hash = nodes.get(key);
    if (hash != null) {
      return hash;
    }
    try (PreparedStatement ps =
        reading.prepareStatement("select hash from audit_subtree where level = ? and idx = ?")) {
      ps.setShort(1, (short) k);
      ps.setLong(2, index);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "the audit tree lacks its subtree at level " + k + " index " + index);
        }
        hash = TreeStoreSupport.wellFormed(rs.getBytes(1), "subtree " + k + "/" + index);
      }
    } catch (SQLException e) {
      throw new UncheckedSql(e);
    }
    nodes.put(key, hash);
    return hash;
  }

  /**
   * The leaves of block {@code b} below {@code to} (a complete block is cached; the tail is read
   * afresh).
   */
  private byte[][] block(long b, long to) {
    long start = b * BLOCK;
    if (start + BLOCK <= size) {
      byte[][] cached = blockLeaves.get(b);
      if (cached == null) {
        cached = uncheckedLeaves(start, start + BLOCK);
        blockLeaves.put(b, cached);
      }
      return cached;
    }
    // leaves below size never change, so the tail read for one proof serves the next while it is
    // long enough
    if (tailBlock != b || tailEnd < to) {
      byte[][] read = uncheckedLeaves(start, size);
      tail = new byte[BLOCK][];
      System.arraycopy(read, 0, tail, 0, read.length);
      tailBlock = b;
      tailEnd = size;
    }
    return tail;
  }

  private byte[][] uncheckedLeaves(long from, long to) {
    try {
      return readLeaves(from, to);
    } catch (SQLException e) {
      throw new UncheckedSql(e);
    }
  }

  private byte[][] readLeaves(long from, long to) throws SQLException {
    byte[][] out = new byte[(int) (to - from)][];
    try (PreparedStatement ps =
        reading.prepareStatement(
            "select seq, leaf_hash from audit_event where seq >= ? and seq < ? order by seq")) {
      ps.setLong(1, from);
      ps.setLong(2, to);
      try (ResultSet rs = ps.executeQuery()) {
        int i = 0;
        while (rs.next()) {
          long seq = rs.getLong(1);
          if (seq != from + i) {
            throw new IllegalStateException("the audit log has a gap before seq " + seq);
          }
          out[i++] = TreeStoreSupport.wellFormed(rs.getBytes(2), "leaf hash at seq " + seq);
        }
        if (i != out.length) {
          throw new IllegalStateException("the audit log has a gap after seq " + (from + i - 1));
        }
      }
    }
    return out;
  }

  /** Reads how many blocks are indexed and the frontier of pending left siblings: O(log n) rows. */
  private void loadFrontier(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select coalesce(max(idx) + 1, 0) from audit_subtree where level = ?")) {
      ps.setShort(1, (short) BLOCK_LEVEL);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        blocks = rs.getLong(1);
      }
    }
    java.util.Arrays.fill(frontier, null);
    try (PreparedStatement ps =
        c.prepareStatement("select hash from audit_subtree where level = ? and idx = ?")) {
      for (int k = BLOCK_LEVEL; k < 63 && (blocks >>> (k - BLOCK_LEVEL)) > 0; k++) {
        long count = blocks >>> (k - BLOCK_LEVEL);
        if ((count & 1) == 1) {
          ps.setShort(1, (short) k);
          ps.setLong(2, count - 1);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new IllegalStateException(
                  "the audit tree lacks its subtree at level " + k + " index " + (count - 1));
            }
            frontier[k] =
                TreeStoreSupport.wellFormed(rs.getBytes(1), "subtree " + k + "/" + (count - 1));
          }
        }
      }
    }
  }

  /**
   * Hashes blocks [blocks, untilBlock) from their leaves and stores them and every parent they
   * complete, in one transaction.
   */
  private void indexChunk(Connection c, long untilBlock) throws SQLException {
    List<Integer> levels = new ArrayList<>();
    List<Long> indexes = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    byte[][] saved = frontier.clone();
    long savedBlocks = blocks;
    try {
      try (PreparedStatement ps =
          c.prepareStatement(
              "select seq, leaf_hash from audit_event where seq >= ? and seq < ? order by seq")) {
        ps.setFetchSize(FETCH);
        ps.setLong(1, blocks * BLOCK);
        ps.setLong(2, untilBlock * BLOCK);
        try (ResultSet rs = ps.executeQuery()) {
          MerkleTree.Accumulator block = new MerkleTree.Accumulator();
          long expected = blocks * BLOCK;
          while (rs.next()) {
            long seq = rs.getLong(1);
            if (seq != expected) {
              throw new IllegalStateException(
                  "the audit log has a gap: seq " + seq + " follows " + (expected - 1));
            }
            expected++;
            block.append(TreeStoreSupport.wellFormed(rs.getBytes(2), "leaf hash at seq " + seq));
            if (block.size() == BLOCK) {
              addBlock(block.root(), levels, indexes, hashes);
              block = new MerkleTree.Accumulator();
            }
          }
          if (blocks != untilBlock) {
            throw new IllegalStateException("the audit log has a gap after seq " + (expected - 1));
          }
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "insert into audit_subtree (level, idx, hash)"
                  + " select * from unnest(?::int4[], ?::int8[], ?::bytea[]) on conflict (level, idx) do nothing")) {
        Array l = c.createArrayOf("int4", levels.toArray(new Integer[0]));
        Array i = c.createArrayOf("int8", indexes.toArray(new Long[0]));
        Array h = c.createArrayOf("bytea", hashes.toArray(new byte[0][]));
        ps.setArray(1, l);
        ps.setArray(2, i);
        ps.setArray(3, h);
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      System.arraycopy(saved, 0, frontier, 0, frontier.length);
      blocks = savedBlocks;
      throw e;
    }
  }

  private void addBlock(
      byte[] hash, List<Integer> levels, List<Long> indexes, List<byte[]> hashes) {
    long index = blocks;
    int k = BLOCK_LEVEL;
    levels.add(k);
    indexes.add(index);
    hashes.add(hash);
    while ((index & 1) == 1) {
      hash = MerkleTree.nodeHash(frontier[k], hash);
      frontier[k] = null;
      index >>>= 1;
      k++;
      levels.add(k);
      indexes.add(index);
      hashes.add(hash);
    }
    frontier[k] = hash;
    blocks++;
  }
}
