package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server (zonky's embedded binaries, run as a child process) whose data directory is
 * kept between runs, with the hub's {@code safehub} database created on first use.
 */
final class PostgresNode implements AutoCloseable {

  static final String DATABASE = "safehub";
  static final String USER = "postgres";
  /** initdb runs with trust authentication on loopback: the server ignores the password. */
  static final String PASSWORD = "postgres";

  private final EmbeddedPostgres postgres;

  private PostgresNode(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL with its cluster in {@code dataDir} (initdb on first use), output appended to {@code logFile}. */
  static PostgresNode start(Path dataDir, int port, Path logFile) {
    DataDirs.createDirectories(dataDir);
    DataDirs.createDirectories(logFile.getParent());
    OrphanedPostmaster.stopIfAny(dataDir);
    int pgPort = Ports.orFree(port);
    EmbeddedPostgres postgres;
    try {
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(pgPort)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setPGStartupWait(Duration.ofSeconds(60))
          .setOutputRedirector(Redirect.appendTo(logFile.toFile()))
          .setErrorRedirector(Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("PostgreSQL did not start on 127.0.0.1:" + pgPort + " with data in " + dataDir
          + " (log " + logFile + "): " + e.getMessage() + System.lineSeparator() + DataDirs.tail(logFile, 20), e);
    }
    PostgresNode node = new PostgresNode(postgres);
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

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL did not stop cleanly", e);
    }
  }

  private void createDatabaseIfMissing() {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      boolean exists;
      try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
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
