package org.safehub.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;
import org.safehub.testsupport.CountingDataSource;

/** Several reads in one round trip ({@link ReadsTogether}) against a real PostgreSQL. */
class ReadsTogetherIT {

  private static DataSource db;

  @BeforeAll
  static void table() throws SQLException {
    db = AuditDatabase.fresh();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("create table t (k text primary key, v integer)");
      s.execute("insert into t values ('a', 1), ('b', 2), ('c', 3)");
    }
  }

  /** A read of the values of {@code keys}, in key order, into {@code out}. */
  private static ReadsTogether.Read valuesOf(List<Integer> out, String... keys) {
    return new ReadsTogether.Read(
        "select v from t where k = any (?) order by k",
        (c, ps, first) -> {
          ps.setArray(first, c.createArrayOf("text", keys));
          return first + 1;
        },
        rs -> {
          while (rs.next()) {
            out.add(rs.getInt(1));
          }
        });
  }

  /** A read of {@code sql} with no parameters that counts its rows into {@code out}. */
  private static ReadsTogether.Read plain(String sql, List<Integer> out) {
    return new ReadsTogether.Read(
        sql,
        ReadsTogether.NO_PARAMETERS,
        rs -> {
          int n = 0;
          while (rs.next()) {
            n++;
          }
          out.add(n);
        });
  }

  @Test
  void eachReadGetsItsOwnRowsWithItsOwnParameters() throws SQLException {
    List<Integer> first = new ArrayList<>();
    List<Integer> second = new ArrayList<>();
    List<Integer> third = new ArrayList<>();

    ReadsTogether.run(
        db,
        Arrays.asList(
            valuesOf(first, "c", "a"),
            null,
            plain("select k from t", second),
            valuesOf(third, "b", "z")));

    assertEquals(List.of(1, 3), first);
    assertEquals(List.of(3), second);
    assertEquals(List.of(2), third);
  }

  @Test
  void aFailingReadFailsThemAllAndNoLaterReadIsTaken() {
    List<Integer> before = new ArrayList<>();
    List<Integer> after = new ArrayList<>();

    assertThrows(
        SQLException.class,
        () ->
            ReadsTogether.run(
                db,
                List.of(
                    valuesOf(before, "a"),
                    plain("select * from no_such_table", new ArrayList<>()),
                    valuesOf(after, "b"))));

    assertTrue(before.isEmpty(), "a failed statement fails the run before any read is given rows");
    assertTrue(after.isEmpty(), "no read after the failed one is taken");
  }

  @Test
  void aStatementThatReturnsNoRowsIsRefused() {
    SQLException e =
        assertThrows(
            SQLException.class,
            () ->
                ReadsTogether.run(
                    db,
                    List.of(
                        valuesOf(new ArrayList<>(), "a"),
                        plain("update t set v = v where k = 'none'", new ArrayList<>()))));

    assertEquals("read 2 of 2 returned no rows", e.getMessage());
  }

  @Test
  void aReadOfTwoStatementsIsRefused() {
    SQLException e =
        assertThrows(
            SQLException.class,
            () ->
                ReadsTogether.run(
                    db, List.of(plain("select k from t; select v from t", new ArrayList<>()))));

    assertEquals("the reads returned more results than there are reads", e.getMessage());
  }

  @Test
  void nothingToReadTakesNoConnection() throws SQLException {
    AtomicInteger taken = new AtomicInteger();

    ReadsTogether.run(CountingDataSource.of(db, taken), Arrays.asList(null, null));

    assertEquals(0, taken.get());
  }
}
