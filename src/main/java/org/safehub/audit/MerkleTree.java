package org.safehub.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * RFC 9162 §2.1 Merkle tree hashes, inclusion proofs and consistency proofs over SHA-256, with
 * leaves and nodes domain-separated (leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left ||
 * right)) so that a node can never be passed off as a leaf.
 */
public final class MerkleTree {

  /** Length in bytes of every hash in the tree. */
  public static final int HASH_LENGTH = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(MerkleTree::newDigest);

  private MerkleTree() {}

  /** The source of MTH(D[from:to]) for the ranges the RFC 9162 recursion visits. */
  interface Subtrees {
    byte[] hash(long from, long to);
  }

  /** SHA-256(0x00 || data): the hash of one leaf. */
  public static byte[] leafHash(byte[] data) {
    MessageDigest digest = SHA256.get();
    digest.update(LEAF_PREFIX);
    return digest.digest(data);
  }

  /** SHA-256(0x01 || left || right): the hash of an interior node. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest digest = SHA256.get();
    digest.update(NODE_PREFIX);
    digest.update(left);
    return digest.digest(right);
  }

  /** The root of the empty tree, SHA-256 of the empty string. */
  public static byte[] emptyRoot() {
    return SHA256.get().digest(new byte[0]);
  }

  /** MTH(D[n]) of these leaf hashes, computed in O(n) time and O(log n) memory. */
  public static byte[] root(List<byte[]> leafHashes) {
    Accumulator accumulator = new Accumulator();
    for (byte[] leaf : leafHashes) {
      accumulator.append(leaf);
    }
    return accumulator.root();
  }

  /** PATH(index, D[n]): the audit path of leaf {@code index}, the deepest sibling first. */
  public static List<byte[]> inclusionProof(int index, List<byte[]> leafHashes) {
    return inclusionProof(index, leafHashes.size(), listSubtrees(leafHashes));
  }

  /** PROOF(m, D[n]): the consistency proof from the first {@code m} leaves to all of them. */
  public static List<byte[]> consistencyProof(int m, List<byte[]> leafHashes) {
    return consistencyProof(m, leafHashes.size(), listSubtrees(leafHashes));
  }

  static List<byte[]> inclusionProof(long index, long treeSize, Subtrees tree) {
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of size " + treeSize);
    }
    List<byte[]> topDown = new ArrayList<>();
    long from = 0;
    long to = treeSize;
    while (to - from > 1) {
      long k = largestPowerOfTwoBelow(to - from);
      if (index < from + k) {
        topDown.add(tree.hash(from + k, to));
        to = from + k;
      } else {
        topDown.add(tree.hash(from, from + k));
        from += k;
      }
    }
    Collections.reverse(topDown);
    return topDown;
  }

  static List<byte[]> consistencyProof(long m, long n, Subtrees tree) {
    if (m < 0 || m > n) {
      throw new IllegalArgumentException("no consistency proof from size " + m + " to size " + n);
    }
    if (m == 0 || m == n) {
      return List.of();
    }
    // SUBPROOF(m, D[from:to], b) unrolled; collected top-down, so reversed at the end.
    List<byte[]> topDown = new ArrayList<>();
    long from = 0;
    long to = n;
    long mm = m;
    boolean b = true;
    while (mm != to - from) {
      long k = largestPowerOfTwoBelow(to - from);
      if (mm <= k) {
        topDown.add(tree.hash(from + k, to));
        to = from + k;
      } else {
        topDown.add(tree.hash(from, from + k));
        from += k;
        mm -= k;
        b = false;
      }
    }
    if (!b) {
      topDown.add(tree.hash(from, to));
    }
    Collections.reverse(topDown);
    return topDown;
  }

  /**
   * RFC 9162 §2.1.3.2: whether {@code proof} shows {@code leafHash} at {@code index} in the tree
   * with {@code root}.
   */
  public static boolean verifyInclusion(
      long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (index < 0
        || index >= treeSize
        || !wellFormed(leafHash)
        || !wellFormed(root)
        || proof == null) {
      return false;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0 || !wellFormed(p)) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * RFC 9162 §2.1.4.2: whether {@code proof} shows the tree of size {@code m} with {@code oldRoot}
   * is a prefix of the tree of size {@code n} with {@code newRoot}. Equal sizes need an empty proof
   * and equal roots; from the empty tree, only an empty proof.
   */
  public static boolean verifyConsistency(
      long m, long n, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
    if (m < 0 || m > n || proof == null || !wellFormed(oldRoot) || !wellFormed(newRoot)) {
      return false;
    }
    if (m == n) {
      return proof.isEmpty() && MessageDigest.isEqual(oldRoot, newRoot);
    }
    if (m == 0) {
      return proof.isEmpty() && MessageDigest.isEqual(oldRoot, emptyRoot());
    }
    if (proof.isEmpty()) {
      return false;
    }
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(m) == 1) {
      path.add(oldRoot);
    }
    path.addAll(proof);
    for (byte[] p : path) {
      if (!wellFormed(p)) {
        return false;
      }
    }
    long fn = m - 1;
    long sn = n - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (int i = 1; i < path.size(); i++) {
      byte[] c = path.get(i);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, oldRoot) && MessageDigest.isEqual(sr, newRoot);
  }

  /**
   * The largest power of two strictly smaller than {@code n}, for n of at least 2: the RFC's split
   * point k.
   */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }

  private static boolean wellFormed(byte[] hash) {
    return hash != null && hash.length == HASH_LENGTH;
  }

  private static Subtrees listSubtrees(List<byte[]> leafHashes) {
    Objects.requireNonNull(leafHashes, "leafHashes");
    return new Subtrees() {
      @Override
      public byte[] hash(long from, long to) {
        if (to - from == 1) {
          return leafHashes.get((int) from);
        }
        long k = largestPowerOfTwoBelow(to - from);
        return nodeHash(hash(from, from + k), hash(from + k, to));
      }
    };
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * Leaf hashes appended one at a time, keeping only the roots of the perfect subtrees that make up
   * the tree (its compact range), so the root of the tree so far costs O(log n).
   */
  public static final class Accumulator {
    private final List<byte[]> perfectRoots = new ArrayList<>();
    private long size;

    public void append(byte[] leafHash) {
      if (!wellFormed(leafHash)) {
        throw new IllegalArgumentException("a leaf hash is " + HASH_LENGTH + " bytes");
      }
      byte[] hash = leafHash;
      for (long s = size; (s & 1) == 1; s >>= 1) {
        hash = nodeHash(perfectRoots.remove(perfectRoots.size() - 1), hash);
      }
      perfectRoots.add(hash);
      size++;
    }

    public long size() {
      return size;
    }

    /** MTH of every leaf appended so far. */
    public byte[] root() {
      if (size == 0) {
        return emptyRoot();
      }
      byte[] hash = perfectRoots.get(perfectRoots.size() - 1);
      for (int i = perfectRoots.size() - 2; i >= 0; i--) {
        hash = nodeHash(perfectRoots.get(i), hash);
      }
      return Arrays.copyOf(hash, hash.length);
    }
  }
}
