package org.safehub.audit;

import java.util.Objects;

/**
 * The log's size, roots and Merkle proofs, read from the tree kept in PostgreSQL ({@link
 * TreeStore}).
 */
final class AuditProofs {

  private final TreeStore tree;

  AuditProofs(TreeStore tree) {
    this.tree = Objects.requireNonNull(tree, "tree");
  }

  /** How many events the log holds (committed). */
  long size() {
    return tree.sync();
  }

  /** MTH of the first {@code treeSize} events. */
  byte[] root(long treeSize) {
    return tree.root(treeSize);
  }

  AuditLog.InclusionProof inclusionProof(long seq, long treeSize) {
    TreeStore.Inclusion inclusion = tree.inclusionProof(seq, treeSize);
    return new AuditLog.InclusionProof(seq, treeSize, inclusion.leaf(), inclusion.path());
  }

  AuditLog.ConsistencyProof consistencyProof(long oldSize, long newSize) {
    return new AuditLog.ConsistencyProof(oldSize, newSize, tree.consistencyProof(oldSize, newSize));
  }
}
