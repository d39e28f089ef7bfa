package org.safehub.audit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/** The audit log's database plumbing: its own transactions and the single-writer lock. */
final class AuditTransactions {

  /**
   * Takes the writer lock until the transaction ends (its one parameter: {@link
   * AuditLog#WRITER_LOCK}) and reads the transaction's isolation level in the same statement.
   */
  static final String LOCK_WRITER =
      "select current_setting('transaction_isolation'), pg_advisory_xact_lock(?)";

  /** Work done on a connection inside a transaction. */
  interface Work<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  private final DataSource dataSource;

  AuditTransactions(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs {@code work} in a transaction of its own, leaving the (possibly pooled) connection as it
   * found it.
   */
  <T> T inTransaction(boolean readOnly, Work<T> work) throws SQLException, IOException {
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

  /**
   * Takes the writer lock ({@value AuditLog#WRITER_LOCK}) until {@code c}'s transaction ends, and
   * checks in the same round trip that the transaction is READ COMMITTED: the writer reads the last
   * committed seq after the lock, which a snapshot taken before the lock would not show.
   */
  static void lockWriter(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LOCK_WRITER)) {
      ps.setLong(1, AuditLog.WRITER_LOCK);
      try (ResultSet rs = ps.executeQuery()) {
        requireReadCommitted(rs);
      }
    }
  }

  /** Checks {@link #LOCK_WRITER}'s result: the transaction must be READ COMMITTED. */
  static void requireReadCommitted(ResultSet rs) throws SQLException {
    rs.next();
    if (!"read committed".equals(rs.getString(1))) {
      throw new IllegalStateException("audit appends need READ COMMITTED isolation");
    }
  }
}
