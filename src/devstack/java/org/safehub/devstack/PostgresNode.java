package org.safehub.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A PostgreSQL server (zonky's embedded binaries, started with pg_ctl) whose data directory is kept
 * between runs, with the hub's {@code safehub} database created on first use.
 */
public final class PostgresNode implements AutoCloseable {

  static final String DATABASE = "safehub";
  public static final String USER = "postgres";

  /** initdb runs with trust authentication on loopback: the server ignores the password. */
  public static final String PASSWORD = "postgres";

  private final EmbeddedPostgres postgres;
  private final Process watchdog;

  private PostgresNode(EmbeddedPostgres postgres, Process watchdog) {
    this.postgres = postgres;
    this.watchdog = watchdog;
  }

  /**
   * A test's PostgreSQL: as {@link #start(Path, int, Path, boolean)}, without fsync (speed; the
   * data is thrown away).
   */
  public static PostgresNode start(Path dataDir, int port, Path logFile) {
    return start(dataDir, port, logFile, false);
  }

  /**
   * Starts PostgreSQL with its cluster in {@code dataDir} (initdb on first use), output appended to
   * {@code logFile}. {@code durable}: {@code fsync} and {@code synchronous_commit} on, so a commit
   * the hub acknowledged survives an operating-system crash or power cut. The embedded library
   * turns both off ({@code -F}, {@code synchronous_commit=off}); the {@code -c} settings given here
   * come after its {@code -F} on the command line and so win. Only the temporary stacks of tests
   * run without (speed; their data is thrown away).
   */
  static PostgresNode start(Path dataDir, int port, Path logFile, boolean durable) {
    DataDirs.createDirectories(dataDir);
    DataDirs.createDirectories(logFile.getParent());
    OrphanedPostmaster.stopIfAny(dataDir);
    int pgPort = Ports.orFree(port);
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(pgPort)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("fsync", durable ? "on" : "off")
              .setServerConfig("synchronous_commit", durable ? "on" : "off")
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(Redirect.appendTo(logFile.toFile()))
              .setErrorRedirector(Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "PostgreSQL did not start on 127.0.0.1:"
              + pgPort
              + " with data in "
              + dataDir
              + " (log "
              + logFile
              + "): "
              + e.getMessage()
              + System.lineSeparator()
              + DataDirs.tail(logFile, 20),
          e);
    }
    PostgresNode node = new PostgresNode(postgres, watchdog(dataDir));
    try {
      node.createDatabaseIfMissing();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  int port() {
    return postgres.getPort();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  /** Disarms the watchdog, then stops PostgreSQL (pg_ctl stop -m fast). */
  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.destroy();
      try {
        watchdog.getOutputStream().close();
      } catch (IOException ignored) {
        // gone already
      }
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL did not stop cleanly", e);
    }
  }

  /**
   * pg_ctl daemonizes the postmaster, so it would outlive a JVM that ends abruptly; the watchdog
   * stops it then. Null (no watchdog) if the postmaster's pid cannot be read.
   */
  private static Process watchdog(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    try {
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      return new ProcessBuilder(ChildWatchdog.forDaemon(pid, pidFile))
          .redirectOutput(Redirect.DISCARD)
          .redirectError(Redirect.DISCARD)
          .start();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private void createDatabaseIfMissing() {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      boolean exists;
      try (PreparedStatement query =
          connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        query.setString(1, DATABASE);
        try (ResultSet rows = query.executeQuery()) {
          exists = rows.next();
        }
      }
      if (!exists) {
        try (Statement create = connection.createStatement()) {
          create.execute("CREATE DATABASE " + DATABASE);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the " + DATABASE + " database", e);
    }
  }
}
