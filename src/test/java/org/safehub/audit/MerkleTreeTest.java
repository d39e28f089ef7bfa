package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX = 40;

  // RFC 6962 test vectors (certificate-transparency, transparency-dev/merkle testonly): leaves and
  // roots 1..8
  private static final String[] CT_LEAVES = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"
  };
  private static final String[] CT_ROOTS = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
  };

  @Test
  void rootsMatchTheRfc6962TestVectors() {
    // Given
    List<byte[]> leaves = ctLeaves();
    // Then
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        HEX.formatHex(MerkleTree.root(List.of())));
    for (int n = 1; n <= 8; n++) {
      assertEquals(
          CT_ROOTS[n - 1], HEX.formatHex(MerkleTree.root(leaves.subList(0, n))), "size " + n);
    }
  }

  @Test
  void proofsMatchTheRfc6962TestVectors() {
    List<byte[]> leaves = ctLeaves();
    assertEquals(
        List.of(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        hex(MerkleTree.inclusionProof(0, leaves)));
    assertEquals(
        List.of(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        hex(MerkleTree.inclusionProof(5, leaves)));
    assertEquals(
        List.of(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        hex(MerkleTree.consistencyProof(1, leaves)));
    assertEquals(
        List.of(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        hex(MerkleTree.consistencyProof(6, leaves)));
    assertEquals(
        List.of(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        hex(MerkleTree.consistencyProof(2, leaves.subList(0, 5))));
  }

  @Test
  void leavesAndNodesAreDomainSeparated() throws Exception {
    // Given
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);
    byte[] a = MerkleTree.leafHash(data);
    byte[] b = MerkleTree.leafHash(new byte[] {1});
    // Then
    assertArrayEquals(sha256(new byte[] {0x00, 'x'}), a);
    byte[] node = new byte[65];
    node[0] = 0x01;
    System.arraycopy(a, 0, node, 1, 32);
    System.arraycopy(b, 0, node, 33, 32);
    assertArrayEquals(sha256(node), MerkleTree.nodeHash(a, b));
    // a two-leaf root is not the leaf hash of the two leaf hashes concatenated
    assertFalse(MessageDigest.isEqual(MerkleTree.root(List.of(a, b)), MerkleTree.leafHash(node)));
  }

  @Test
  void rootOfEverySizeUpTo40MatchesTheRfcDefinition() {
    List<byte[]> leaves = leaves(MAX);
    TreeCache cache = new TreeCache();
    MerkleTree.Accumulator accumulator = new MerkleTree.Accumulator();
    for (int n = 1; n <= MAX; n++) {
      cache.append(leaves.get(n - 1));
      accumulator.append(leaves.get(n - 1));
      byte[] expected = mth(leaves.subList(0, n));
      assertArrayEquals(expected, MerkleTree.root(leaves.subList(0, n)), "size " + n);
      assertArrayEquals(expected, accumulator.root(), "accumulator, size " + n);
      for (int m = 0; m <= n; m++) {
        assertArrayEquals(
            m == 0 ? MerkleTree.emptyRoot() : mth(leaves.subList(0, m)),
            cache.root(m),
            "cache " + m);
      }
    }
  }

  @Test
  void everyInclusionProofUpTo40VerifiesAndMatchesTheRfcDefinition() {
    List<byte[]> leaves = leaves(MAX);
    TreeCache cache = cache(leaves);
    for (int n = 1; n <= MAX; n++) {
      List<byte[]> tree = leaves.subList(0, n);
      byte[] root = MerkleTree.root(tree);
      for (int i = 0; i < n; i++) {
        List<byte[]> proof = MerkleTree.inclusionProof(i, tree);
        assertEquals(hex(path(i, tree)), hex(proof), "PATH(" + i + ", " + n + ")");
        assertEquals(
            hex(proof), hex(cache.inclusionProof(i, n)), "cache PATH(" + i + ", " + n + ")");
        assertTrue(MerkleTree.verifyInclusion(i, n, tree.get(i), proof, root), i + " in " + n);
      }
    }
  }

  @Test
  void everyAlteredInclusionProofFails() {
    List<byte[]> leaves = leaves(MAX);
    for (int n = 1; n <= MAX; n++) {
      List<byte[]> tree = leaves.subList(0, n);
      byte[] root = MerkleTree.root(tree);
      for (int i = 0; i < n; i++) {
        List<byte[]> proof = MerkleTree.inclusionProof(i, tree);
        String at = i + " in " + n;
        for (int k = 0; k < proof.size(); k++) {
          assertFalse(
              MerkleTree.verifyInclusion(i, n, tree.get(i), flipped(proof, k), root),
              "flipped " + k + ", " + at);
        }
        assertFalse(
            MerkleTree.verifyInclusion(i, n, flip(tree.get(i)), proof, root), "wrong leaf, " + at);
        assertFalse(
            MerkleTree.verifyInclusion(i, n, tree.get(i), proof, flip(root)), "wrong root, " + at);
        assertFalse(
            MerkleTree.verifyInclusion(i, n, tree.get(i), plus(proof, root), root),
            "extra element, " + at);
        if (!proof.isEmpty()) {
          assertFalse(
              MerkleTree.verifyInclusion(
                  i, n, tree.get(i), proof.subList(0, proof.size() - 1), root),
              "truncated, " + at);
        }
        if (n > 1) {
          int other = (i + 1) % n;
          assertFalse(
              MerkleTree.verifyInclusion(other, n, tree.get(i), proof, root), "wrong index, " + at);
        }
        // (a size is only meaningful with its own root: a signed checkpoint binds the two)
        assertFalse(
            MerkleTree.verifyInclusion(
                i, n + 1, tree.get(i), proof, MerkleTree.root(leaves(n + 1))),
            "size and root of a larger tree, " + at);
        assertFalse(
            MerkleTree.verifyInclusion(n, n, tree.get(i), proof, root),
            "index beyond the tree, " + at);
      }
    }
  }

  @Test
  void everyConsistencyProofUpTo40VerifiesAndMatchesTheRfcDefinition() {
    List<byte[]> leaves = leaves(MAX);
    TreeCache cache = cache(leaves);
    for (int n = 1; n <= MAX; n++) {
      List<byte[]> tree = leaves.subList(0, n);
      byte[] newRoot = MerkleTree.root(tree);
      for (int m = 0; m <= n; m++) {
        List<byte[]> proof = MerkleTree.consistencyProof(m, tree);
        byte[] oldRoot = MerkleTree.root(leaves.subList(0, m));
        if (m > 0 && m < n) {
          assertEquals(hex(subproof(m, tree, true)), hex(proof), "PROOF(" + m + ", " + n + ")");
        } else {
          assertTrue(proof.isEmpty());
        }
        assertEquals(
            hex(proof), hex(cache.consistencyProof(m, n)), "cache PROOF(" + m + ", " + n + ")");
        assertTrue(MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, proof), m + " -> " + n);
      }
    }
  }

  @Test
  void everyAlteredConsistencyProofFails() {
    List<byte[]> leaves = leaves(MAX);
    for (int n = 2; n <= MAX; n++) {
      List<byte[]> tree = leaves.subList(0, n);
      byte[] newRoot = MerkleTree.root(tree);
      for (int m = 1; m < n; m++) {
        List<byte[]> proof = MerkleTree.consistencyProof(m, tree);
        byte[] oldRoot = MerkleTree.root(leaves.subList(0, m));
        String at = m + " -> " + n;
        for (int k = 0; k < proof.size(); k++) {
          assertFalse(
              MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, flipped(proof, k)),
              "flipped " + k + ", " + at);
        }
        assertFalse(
            MerkleTree.verifyConsistency(m, n, flip(oldRoot), newRoot, proof),
            "wrong old root, " + at);
        assertFalse(
            MerkleTree.verifyConsistency(m, n, oldRoot, flip(newRoot), proof),
            "wrong new root, " + at);
        assertFalse(
            MerkleTree.verifyConsistency(
                m, n, oldRoot, newRoot, proof.subList(0, proof.size() - 1)),
            "truncated, " + at);
        assertFalse(
            MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, plus(proof, newRoot)),
            "extra element, " + at);
        assertFalse(
            MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, List.of()), "empty, " + at);
        assertFalse(
            MerkleTree.verifyConsistency(n, m, newRoot, oldRoot, proof), "sizes swapped, " + at);
        // a tree that changed an old leaf is not consistent with the old root
        List<byte[]> rewritten = new ArrayList<>(tree);
        rewritten.set(m - 1, flip(rewritten.get(m - 1)));
        assertFalse(
            MerkleTree.verifyConsistency(
                m,
                n,
                oldRoot,
                MerkleTree.root(rewritten),
                MerkleTree.consistencyProof(m, rewritten)),
            "rewritten history, " + at);
      }
      assertFalse(
          MerkleTree.verifyConsistency(n, n, newRoot, flip(newRoot), List.of()),
          "equal sizes, other root");
    }
  }

  // --- the RFC 9162 §2.1 definitions, written out recursively as the reference

  private static byte[] mth(List<byte[]> d) {
    if (d.size() == 1) {
      return d.get(0);
    }
    int k = Integer.highestOneBit(d.size() - 1);
    return MerkleTree.nodeHash(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  private static List<byte[]> path(int m, List<byte[]> d) {
    List<byte[]> out = new ArrayList<>();
    if (d.size() == 1) {
      return out;
    }
    int k = Integer.highestOneBit(d.size() - 1);
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, d.size())));
    } else {
      out.addAll(path(m - k, d.subList(k, d.size())));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    List<byte[]> out = new ArrayList<>();
    int n = d.size();
    if (m == n) {
      if (!b) {
        out.add(mth(d));
      }
      return out;
    }
    int k = Integer.highestOneBit(n - 1);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  // --- helpers

  private static List<byte[]> ctLeaves() {
    List<byte[]> leaves = new ArrayList<>();
    for (String leaf : CT_LEAVES) {
      leaves.add(MerkleTree.leafHash(HEX.parseHex(leaf)));
    }
    return leaves;
  }

  private static List<byte[]> leaves(int n) {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      leaves.add(MerkleTree.leafHash(("event " + i).getBytes(StandardCharsets.UTF_8)));
    }
    return leaves;
  }

  private static TreeCache cache(List<byte[]> leaves) {
    TreeCache cache = new TreeCache();
    leaves.forEach(cache::append);
    return cache;
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HEX::formatHex).toList();
  }

  private static byte[] flip(byte[] hash) {
    byte[] copy = hash.clone();
    copy[copy.length - 1] ^= 1;
    return copy;
  }

  private static List<byte[]> flipped(List<byte[]> proof, int k) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.set(k, flip(copy.get(k)));
    return copy;
  }

  private static List<byte[]> plus(List<byte[]> proof, byte[] extra) {
    List<byte[]> copy = new ArrayList<>(proof);
    copy.add(extra);
    return copy;
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}
