package org.safehub.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small pure helpers of {@link TreeStore}: subtree hashing inside a block, cache keys and checks.
 */
final class TreeStoreSupport {

  private TreeStoreSupport() {}

  /** MTH of {@code leaves[from:to]}, a power-of-two range inside one block. */
  static byte[] subtree(byte[][] leaves, int from, int to) {
    if (to - from == 1) {
      return leaves[from];
    }
    int half = (to - from) / 2;
    return MerkleTree.nodeHash(
        subtree(leaves, from, from + half), subtree(leaves, from + half, to));
  }

  /** The cache key of the stored node at {@code level}, {@code index}. */
  static Long key(int level, long index) {
    return ((long) level << 57) | index;
  }

  /** {@code hash} if it is a well-formed hash; a stored row that is not fails closed. */
  static byte[] wellFormed(byte[] hash, String what) {
    if (hash == null || hash.length != MerkleTree.HASH_LENGTH) {
      throw new IllegalStateException("the audit log's " + what + " is malformed");
    }
    return hash;
  }

  /** A small access-ordered map that keeps at most {@code max} entries. */
  static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
