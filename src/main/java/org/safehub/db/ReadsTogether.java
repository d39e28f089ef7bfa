package org.safehub.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Several stores' reads sent to PostgreSQL together: one round trip for all of them, where each
 * alone would take its own. PostgreSQL runs the statements one after another, in order; under READ
 * COMMITTED each takes its own snapshot when it starts, as it would alone. If any statement fails,
 * the run fails before any read is given its rows; if a read fails on its rows, the reads before it
 * have been given theirs, and the run fails: either way the caller retries the whole. Each read is
 * one statement.
 */
public final class ReadsTogether {

  /**
   * One store's read: one SELECT statement (one: the results are matched to the reads by position),
   * its parameters, and what it makes of its rows.
   */
  public record Read(String sql, Binder binder, Rows rows) {}

  /** Sets a statement's parameters from {@code first} on; returns the next index. */
  @FunctionalInterface
  public interface Binder {
    int bind(Connection c, PreparedStatement ps, int first) throws SQLException;
  }

  /** Reads a statement's rows. */
  @FunctionalInterface
  public interface Rows {
    void read(ResultSet rs) throws SQLException;
  }

  /** The binder of a statement without parameters. */
  public static final Binder NO_PARAMETERS = (c, ps, first) -> first;

  private ReadsTogether() {}

  /** Runs {@code reads} (null entries are skipped) in one round trip on a connection of its own. */
  public static void run(DataSource ds, List<Read> reads) throws SQLException {
    List<Read> todo = new ArrayList<>(reads.size());
    for (Read r : reads) {
      if (r != null) {
        todo.add(r);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    StringBuilder sql = new StringBuilder();
    for (Read r : todo) {
      if (sql.length() > 0) {
        sql.append("; ");
      }
      sql.append(r.sql());
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int next = 1;
      for (Read r : todo) {
        next = r.binder().bind(c, ps, next);
      }
      boolean rows = ps.execute();
      for (int i = 0; i < todo.size(); i++) {
        if (i > 0) {
          rows = ps.getMoreResults();
        }
        if (!rows) {
          throw new SQLException("read " + (i + 1) + " of " + todo.size() + " returned no rows");
        }
        try (ResultSet rs = ps.getResultSet()) {
          todo.get(i).rows().read(rs);
        }
      }
      if (ps.getMoreResults() || ps.getUpdateCount() != -1) {
        // a read of more than one statement would have shifted every later read's rows
        throw new SQLException("the reads returned more results than there are reads");
      }
    }
  }
}
