package org.safehub.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The whole tree in memory (about 64 bytes per event): the reference the stored {@link TreeStore}
 * is checked against in tests, and what the hub used before its tree moved to PostgreSQL.
 * Append-only and thread-safe.
 */
final class TreeCache implements MerkleTree.Subtrees {

  /** levels.get(k).get(i) is MTH of leaves [i * 2^k, (i + 1) * 2^k). */
  private final List<HashArray> levels = new ArrayList<>();

  TreeCache() {
    levels.add(new HashArray());
  }

  synchronized long size() {
    return levels.get(0).size();
  }

  synchronized void append(byte[] leafHash) {
    if (leafHash == null || leafHash.length != MerkleTree.HASH_LENGTH) {
      throw new IllegalArgumentException("a leaf hash is " + MerkleTree.HASH_LENGTH + " bytes");
    }
    levels.get(0).add(leafHash);
    byte[] hash = leafHash;
    for (int k = 0; (levels.get(k).size() & 1) == 0; k++) {
      HashArray level = levels.get(k);
      hash = MerkleTree.nodeHash(level.get(level.size() - 2), hash);
      if (levels.size() == k + 1) {
        levels.add(new HashArray());
      }
      levels.get(k + 1).add(hash);
    }
  }

  synchronized byte[] leaf(long index) {
    return levels.get(0).get(index);
  }

  /** MTH of the first {@code treeSize} leaves. */
  synchronized byte[] root(long treeSize) {
    checkSize(treeSize);
    return treeSize == 0 ? MerkleTree.emptyRoot() : hash(0, treeSize);
  }

  synchronized List<byte[]> inclusionProof(long index, long treeSize) {
    checkSize(treeSize);
    return MerkleTree.inclusionProof(index, treeSize, this);
  }

  synchronized List<byte[]> consistencyProof(long oldSize, long newSize) {
    checkSize(newSize);
    return MerkleTree.consistencyProof(oldSize, newSize, this);
  }

  @Override
  public synchronized byte[] hash(long from, long to) {
    long width = to - from;
    if (Long.bitCount(width) == 1 && from % width == 0) {
      int k = Long.numberOfTrailingZeros(width);
      return levels.get(k).get(from / width);
    }
    long k = MerkleTree.largestPowerOfTwoBelow(width);
    return MerkleTree.nodeHash(hash(from, from + k), hash(from + k, to));
  }

  private void checkSize(long treeSize) {
    if (treeSize < 0 || treeSize > size()) {
      throw new IllegalArgumentException(
          "tree size " + treeSize + " is beyond the log's " + size() + " events");
    }
  }

  /**
   * A growable array of 32-byte hashes in fixed-size chunks, so growth never copies what is there.
   */
  private static final class HashArray {
    private static final int CHUNK_HASHES = 1 << 15;
    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    long size() {
      return size;
    }

    void add(byte[] hash) {
      int offset = (int) (size % CHUNK_HASHES) * MerkleTree.HASH_LENGTH;
      if (offset == 0) {
        chunks.add(new byte[16 * MerkleTree.HASH_LENGTH]);
      }
      int last = chunks.size() - 1;
      byte[] chunk = chunks.get(last);
      if (offset == chunk.length) {
        // the last chunk doubles up to its full size, so a short level costs little
        chunk =
            Arrays.copyOf(chunk, Math.min(chunk.length * 2, CHUNK_HASHES * MerkleTree.HASH_LENGTH));
        chunks.set(last, chunk);
      }
      System.arraycopy(hash, 0, chunk, offset, MerkleTree.HASH_LENGTH);
      size++;
    }

    byte[] get(long index) {
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException(index);
      }
      byte[] chunk = chunks.get((int) (index / CHUNK_HASHES));
      int offset = (int) (index % CHUNK_HASHES) * MerkleTree.HASH_LENGTH;
      byte[] hash = new byte[MerkleTree.HASH_LENGTH];
      System.arraycopy(chunk, offset, hash, 0, MerkleTree.HASH_LENGTH);
      return hash;
    }
  }
}
