package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The tree stored in PostgreSQL gives exactly the roots and proofs of the whole tree in memory
 * ({@link TreeCache}), for tree sizes on both sides of every block boundary, as the log grows in
 * uneven appends.
 */
class TreeStoreIT {

  @Test
  void storedTreeAgreesWithTheInMemoryTreeAcrossBlockBoundaries() throws SQLException {
    // Given leaves appended in uneven batches, the stored tree indexing between them
    DataSource db = AuditDatabase.fresh();
    TreeStore stored = new TreeStore(db);
    TreeCache reference = new TreeCache();
    SplittableRandom random = new SplittableRandom(7);
    int total = 0;
    for (int batch : new int[] {1, 254, 1, 1, 300, 211, 256, 2, 3000}) {
      try (Connection c = db.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "insert into audit_event (seq, time, action, event_json, leaf_hash) values (?, now(), 'routed', '{}', ?)")) {
        for (int i = 0; i < batch; i++) {
          byte[] leaf = new byte[MerkleTree.HASH_LENGTH];
          random.nextBytes(leaf);
          ps.setLong(1, total + i);
          ps.setBytes(2, leaf);
          ps.addBatch();
          reference.append(leaf);
        }
        ps.executeBatch();
      }
      total += batch;
      // When the stored tree catches up
      assertEquals(total, stored.sync());
      // Then every root agrees, and proofs too
      for (long size :
          List.of(
              1L, 2L, 255L, 256L, 257L, 511L, 512L, 513L, 767L, 768L, 1025L, 4025L, (long) total)) {
        if (size > total) {
          continue;
        }
        assertArrayEquals(reference.root(size), stored.root(size), "root " + size);
        for (long index : List.of(0L, size / 2, size - 1)) {
          TreeStore.Inclusion inclusion = stored.inclusionProof(index, size);
          assertArrayEquals(reference.leaf(index), inclusion.leaf());
          assertEquals(
              hex(reference.inclusionProof(index, size)),
              hex(inclusion.path()),
              "path " + index + " in " + size);
        }
        for (long m : List.of(1L, size / 3, size - 1)) {
          if (m >= 1 && m <= size) {
            assertEquals(
                hex(reference.consistencyProof(m, size)),
                hex(stored.consistencyProof(m, size)),
                m + " to " + size);
          }
        }
      }
    }
    // And a second instance on the same database (cold) reads the same tree from the stored
    // subtrees
    TreeStore cold = new TreeStore(db);
    assertEquals(total, cold.sync());
    assertArrayEquals(reference.root(total), cold.root(total));
    assertArrayEquals(reference.root(3000), cold.root(3000));
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(java.util.HexFormat.of()::formatHex).toList();
  }
}
