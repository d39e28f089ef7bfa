package org.safehub.agencies;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.safehub.db.ReadsTogether;

/**
 * Operators' suspensions and reinstatements of agencies, in PostgreSQL so every hub instance sees
 * them. An agency is suspended if the operator suspended it, or if agencies.yaml says so and no
 * operator decision has reinstated it.
 */
@Singleton
public final class AgencyStatusStore {

  private final DataSource ds;
  private final AgencyDirectory agencies;

  @Inject
  public AgencyStatusStore(DataSource ds, AgencyDirectory agencies) {
    this.ds = ds;
    this.agencies = agencies;
  }

  public void set(String agencyId, AgencyStatus status, String actor) throws SQLException {
    try (Connection c = ds.getConnection()) {
      set(c, agencyId, status, actor);
    }
  }

  /**
   * As {@link #set(String, AgencyStatus, String)}, on the caller's connection (and so in its
   * transaction).
   */
  public void set(Connection c, String agencyId, AgencyStatus status, String actor)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into agency_status (agency_id, status, changed_at, changed_by) values (?, ?, ?, ?) on conflict (agency_id)"
                + " do update set status = excluded.status, changed_at = excluded.changed_at, changed_by = excluded.changed_by")) {
      ps.setString(1, agencyId);
      ps.setString(2, status.name().toLowerCase(java.util.Locale.ROOT));
      ps.setTimestamp(3, Timestamp.from(Instant.now()));
      ps.setString(4, actor);
      ps.executeUpdate();
    }
  }

  /** The ids of every agency that must receive nothing now. */
  public Set<String> suspended() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return suspended(c);
    }
  }

  /**
   * As {@link #suspended()}, read on the caller's connection (inside its transaction, if one is
   * open).
   */
  public Set<String> suspended(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT_STATUS);
        ResultSet rs = ps.executeQuery()) {
      return suspended(rs);
    }
  }

  /**
   * {@link #suspended()} as a read to send with others ({@link ReadsTogether}); {@code into} is
   * given the set once the read has run.
   */
  public ReadsTogether.Read suspendedRead(Consumer<Set<String>> into) {
    return new ReadsTogether.Read(
        SELECT_STATUS, ReadsTogether.NO_PARAMETERS, rs -> into.accept(suspended(rs)));
  }

  private static final String SELECT_STATUS = "select agency_id, status from agency_status";

  /** The directory's inactive agencies, then the operators' decisions of {@code rs}. */
  private Set<String> suspended(ResultSet rs) throws SQLException {
    Set<String> out = new HashSet<>();
    agencies
        .all()
        .forEach(
            a -> {
              if (!a.active()) {
                out.add(a.id());
              }
            });
    while (rs.next()) {
      if ("suspended".equals(rs.getString(2))) {
        out.add(rs.getString(1));
      } else {
        out.remove(rs.getString(1));
      }
    }
    return out;
  }

  public boolean isSuspended(String agencyId) throws SQLException {
    return suspended().contains(agencyId);
  }
}
