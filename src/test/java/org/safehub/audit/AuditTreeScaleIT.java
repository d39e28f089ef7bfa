package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit tree does not live in the hub's heap: a log of {@value #DEFAULT_EVENTS} events (or
 * {@code -Daudit.scale.events=N}), written straight into PostgreSQL by SQL with leaf hashes
 * computed there, is opened by a hub-side {@link AuditLog} in a JVM limited to {@value #HEAP} of
 * heap, where the old in-memory tree needed about 64 bytes per event (64 MiB for a million) before
 * any proof. Proofs verify against the signed root, which matches a root computed here
 * independently, leaf by leaf.
 */
class AuditTreeScaleIT {

  static final int DEFAULT_EVENTS = 1_000_000;
  static final String HEAP = "-Xmx32m";

  @Test
  void aLogOfAMillionEventsOpensAndProvesInASmallHeap() throws Exception {
    // Given a log filled by SQL (secondary indexes dropped in this throwaway database, for speed
    // only)
    long events = Long.getLong("audit.scale.events", DEFAULT_EVENTS);
    String url = AuditDatabase.freshUrl();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser("postgres");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String index :
          List.of(
              "audit_event_by_case",
              "audit_event_by_time",
              "audit_event_by_action",
              "audit_event_by_actor",
              "audit_event_by_recipient",
              "audit_event_by_basis",
              "audit_event_without_consent")) {
        s.execute("drop index " + index);
      }
      long t = System.nanoTime();
      s.execute(
          "insert into audit_event (seq, time, action, event_json, leaf_hash)"
              + " select n, t, 'publish-accepted', j, sha256('\\x00'::bytea || convert_to(j, 'UTF8')) from ("
              + "  select n, t, format('{\"seq\":%s,\"time\":\"%s\",\"action\":\"publish-accepted\"}', n,"
              + "   to_char(t at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) as j from ("
              + "   select n, timestamptz '2025-01-01 00:00:00+00' + n * interval '1 millisecond' as t"
              + "   from generate_series(0, "
              + (events - 1)
              + ") as n) times) rows");
      System.out.printf(
          "filled %d events by SQL in %d ms%n",
          events, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
    }
    // the SQL wrote what the hub would have: the canonical JSON and its RFC 9162 leaf hash
    byte[] expectedRoot;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("select event_json, leaf_hash from audit_event where seq = ?")) {
        ps.setLong(1, events / 2);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          AuditEvent e = AuditEvent.fromJson(rs.getString(1));
          assertEquals(rs.getString(1), e.toJson());
          assertArrayEquals(e.leafHash(), rs.getBytes(2));
        }
      }
      MerkleTree.Accumulator all = new MerkleTree.Accumulator();
      try (PreparedStatement ps =
          c.prepareStatement("select leaf_hash from audit_event order by seq")) {
        ps.setFetchSize(10_000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            all.append(rs.getBytes(1));
          }
        }
      }
      assertEquals(events, all.size());
      expectedRoot = all.root();
    }
    // When a hub-side audit log opens it in a JVM with a 32 MiB heap
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process probe =
        new ProcessBuilder(
                java.toString(), HEAP, "-cp", classpath, TreeProbe.class.getName(), url, "postgres")
            .redirectErrorStream(true)
            .start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = probe.waitFor();
    System.out.print(output);
    // Then it indexed the log, its proofs verified, and it signed the root of every event
    assertEquals(0, exit, output);
    assertTrue(output.contains("size=" + events + " "), output);
    assertTrue(output.contains("root=" + HexFormat.of().formatHex(expectedRoot)), output);
    // and the stored tree is small: about two nodes per 256 events
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from audit_subtree")) {
      rs.next();
      assertTrue(rs.getLong(1) <= 2 * (events / TreeStore.BLOCK), "subtree rows: " + rs.getLong(1));
    }
  }
}
