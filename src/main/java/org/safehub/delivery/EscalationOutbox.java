package org.safehub.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The escalator's transactional outbox ({@code escalation_outbox}): the sealed notices of each
 * escalation round, written in the transaction that decides the round and read back in seq order by
 * the relay. Sealed bytes, ids and codes only.
 *
 * <p>Writers take a transaction-scoped advisory lock before inserting, so a row's seq is below the
 * seq of every row committed after it: a relay that has sent up to seq {@code n} never later finds
 * a committed row below {@code n} it has not seen.
 */
public final class EscalationOutbox {

  /** The advisory lock writers hold while they insert (two-key form: class, then 1). */
  static final int LOCK_CLASS = 0x53484f42; // "SHOB"

  private static final int WRITE_LOCK = 1;

  /** The relay lock of a deployment: this class, then the hash of its topic prefix. */
  static final int RELAY_LOCK_CLASS = 0x53484f52; // "SHOR"

  /** A sealed notice to send; {@code seq} is 0 until stored. */
  public record Row(
      long seq, String recipient, UUID messageId, String kind, String format, byte[] sealed) {
    public Row {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(sealed, "sealed");
    }
  }

  private EscalationOutbox() {}

  /** Stores {@code rows} for the relay of {@code topicPrefix}, in order, in c's transaction. */
  public static void add(Connection c, String topicPrefix, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?, ?)")) {
      ps.setInt(1, LOCK_CLASS);
      ps.setInt(2, WRITE_LOCK);
      ps.execute();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into escalation_outbox (topic_prefix, recipient, message_id, kind, format,"
                + " sealed) values (?, ?, ?, ?, ?, ?)")) {
      for (Row r : rows) {
        ps.setString(1, topicPrefix);
        ps.setString(2, r.recipient());
        ps.setObject(3, r.messageId());
        ps.setString(4, r.kind());
        ps.setString(5, r.format());
        ps.setBytes(6, r.sealed());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Takes the relay lock of {@code topicPrefix} for c's transaction, waiting at most {@code
   * waitMs}; false if another relay holds it that long.
   */
  public static boolean lockRelay(Connection c, String topicPrefix, int waitMs)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select set_config('lock_timeout', ?, true)")) {
      ps.setString(1, waitMs + "ms");
      ps.execute();
    }
    try (PreparedStatement ps =
        c.prepareStatement("select pg_advisory_xact_lock(?, hashtext(?))")) {
      ps.setInt(1, RELAY_LOCK_CLASS);
      ps.setString(2, topicPrefix);
      ps.execute();
      return true;
    } catch (SQLException e) {
      if ("55P03".equals(e.getSQLState())) { // lock_not_available: lock_timeout passed
        return false;
      }
      throw e;
    }
  }

  /** The next rows after {@code after} for the relay of {@code topicPrefix}, in seq order. */
  public static List<Row> after(Connection c, String topicPrefix, long after, int limit)
      throws SQLException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select seq, recipient, message_id, kind, format, sealed from escalation_outbox"
                + " where topic_prefix = ? and seq > ? order by seq limit ?")) {
      ps.setString(1, topicPrefix);
      ps.setLong(2, after);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Row(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getObject(3, UUID.class),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getBytes(6)));
        }
      }
    }
    return out;
  }

  /** Deletes the rows of {@code topicPrefix} up to {@code seq} (sent); how many. */
  public static int deleteUpTo(Connection c, String topicPrefix, long seq) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("delete from escalation_outbox where topic_prefix = ? and seq <= ?")) {
      ps.setString(1, topicPrefix);
      ps.setLong(2, seq);
      return ps.executeUpdate();
    }
  }
}
