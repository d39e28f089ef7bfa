package org.safehub.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One database transaction around a piece of work: a connection from the pool, auto-commit off,
 * commit when the work returns, roll back when it throws anything, and the connection closed either
 * way. The one place the stores begin, commit and roll back.
 */
public final class Transactions {

  private Transactions() {}

  /**
   * Work done on the transaction's connection; {@code E} is a further checked exception it may
   * throw.
   */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T run(Connection c) throws SQLException, E;
  }

  /** Work that returns nothing. */
  @FunctionalInterface
  public interface VoidWork<E extends Exception> {
    void run(Connection c) throws SQLException, E;
  }

  /**
   * Runs {@code work} in one transaction on a fresh connection from {@code ds} and returns its
   * result once committed. If the work throws, nothing it wrote is kept and its exception is
   * rethrown (a failed rollback is added to it as suppressed); if the commit fails, its {@link
   * SQLException} is thrown the same way.
   */
  public static <T, E extends Exception> T inTransaction(DataSource ds, Work<T, E> work)
      throws SQLException, E {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (Throwable t) {
        rollback(c, t);
        throw t;
      }
    }
  }

  /** As {@link #inTransaction(DataSource, Work)}, for work that returns nothing. */
  public static <E extends Exception> void run(DataSource ds, VoidWork<E> work)
      throws SQLException, E {
    inTransaction(
        ds,
        c -> {
          work.run(c);
          return null;
        });
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e); // the connection is gone: nothing was committed
    }
  }
}
