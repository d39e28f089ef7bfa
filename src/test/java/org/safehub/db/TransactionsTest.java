package org.safehub.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class TransactionsTest {

  /**
   * A data source whose one connection writes down what is done with it; a named call can be made
   * to fail.
   */
  private static final class Recording implements DataSource {
    final List<String> calls = new ArrayList<>();
    String failing;

    @Override
    public Connection getConnection() {
      return (Connection)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                String call = method.getName() + (args == null ? "" : "(" + args[0] + ")");
                calls.add(call);
                if (call.equals(failing)) {
                  throw new SQLException(call + " failed");
                }
                return null;
              });
    }

    @Override
    public Connection getConnection(String user, String password) {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return null;
    }

    @Override
    public <T> T unwrap(Class<T> iface) {
      return null;
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }

  private static final class Refused extends Exception {}

  @Test
  void workThatReturnsIsCommittedAndItsResultReturned() throws Exception {
    // Given
    Recording ds = new Recording();
    // When
    String result = Transactions.inTransaction(ds, c -> "done");
    // Then
    assertEquals("done", result);
    assertEquals(List.of("setAutoCommit(false)", "commit", "close"), ds.calls);
  }

  @Test
  void workThatThrowsIsRolledBackAndItsExceptionRethrown() {
    // Given
    Recording ds = new Recording();
    Refused refused = new Refused();
    // When
    Refused thrown =
        assertThrows(
            Refused.class,
            () ->
                Transactions.run(
                    ds,
                    c -> {
                      throw refused;
                    }));
    // Then
    assertSame(refused, thrown);
    assertEquals(List.of("setAutoCommit(false)", "rollback", "close"), ds.calls);
  }

  @Test
  void aFailedCommitIsRolledBackAndThrown() {
    // Given
    Recording ds = new Recording();
    ds.failing = "commit";
    // When
    SQLException thrown =
        assertThrows(SQLException.class, () -> Transactions.inTransaction(ds, c -> 1));
    // Then
    assertEquals("commit failed", thrown.getMessage());
    assertEquals(List.of("setAutoCommit(false)", "commit", "rollback", "close"), ds.calls);
  }

  @Test
  void aFailedRollbackIsKeptWithTheWorksException() {
    // Given
    Recording ds = new Recording();
    ds.failing = "rollback";
    // When
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                Transactions.run(
                    ds,
                    c -> {
                      throw new IllegalStateException("work failed");
                    }));
    // Then
    assertEquals("rollback failed", thrown.getSuppressed()[0].getMessage());
    assertEquals(List.of("setAutoCommit(false)", "rollback", "close"), ds.calls);
  }
}
