package org.safehub.audit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/** The audit log's database plumbing: its own transactions and the single-writer lock. */
final class AuditTransactions {

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

  /** Takes the writer lock ({@value AuditLog#WRITER_LOCK}) until {@code c}'s transaction ends. */
  static void lockWriter(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
      ps.setLong(1, AuditLog.WRITER_LOCK);
      ps.execute();
    }
  }
}
