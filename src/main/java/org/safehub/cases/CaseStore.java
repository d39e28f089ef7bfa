package org.safehub.cases;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.safehub.db.ReadsTogether;

/**
 * Cases in PostgreSQL ({@code hub_case}, {@code case_member}). Writes take the caller's connection,
 * so that a change commits with its audit events or not at all.
 */
@Singleton
public final class CaseStore implements CaseLookup {

  private final DataSource ds;

  @Inject
  public CaseStore(DataSource ds) {
    this.ds = ds;
  }

  /** The case, read in a connection of its own. */
  @Override
  public Optional<CaseFile> find(String caseRef) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return find(c, caseRef, false);
    }
  }

  /**
   * The case with its members, in one statement; with {@code lock}, its row is first locked until
   * the caller's transaction ends. The lock is a statement of its own: a locking join would, after
   * waiting for the lock, see the case row as committed but its members as they were before (so a
   * member just removed would still count); the read after the lock sees both as committed.
   */
  public Optional<CaseFile> find(Connection c, String caseRef, boolean lock) throws SQLException {
    if (lock) {
      try (PreparedStatement ps =
          c.prepareStatement("select 1 from hub_case where case_ref = ? for update")) {
        ps.setString(1, caseRef);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(SELECT + " where c.case_ref = ?")) {
      ps.setString(1, caseRef);
      return Optional.ofNullable(read(ps).get(caseRef));
    }
  }

  /**
   * The cases among {@code caseRefs} that exist, with their members, in one statement (the pipeline
   * reads a batch's cases together).
   */
  @Override
  public Map<String, CaseFile> findAll(Collection<String> caseRefs) throws SQLException {
    if (caseRefs.isEmpty()) {
      return Map.of();
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT_ANY)) {
      ps.setArray(1, c.createArrayOf("text", new LinkedHashSet<>(caseRefs).toArray()));
      return read(ps);
    }
  }

  @Override
  public ReadsTogether.Read findAllRead(
      Collection<String> caseRefs, Consumer<Map<String, CaseFile>> into) {
    if (caseRefs.isEmpty()) {
      into.accept(Map.of());
      return null;
    }
    return new ReadsTogether.Read(
        SELECT_ANY,
        (c, ps, first) -> {
          ps.setArray(first, c.createArrayOf("text", new LinkedHashSet<>(caseRefs).toArray()));
          return first + 1;
        },
        rs -> into.accept(read(rs)));
  }

  private static final String SELECT =
      "select c.case_ref, c.area, c.status, c.opened_at, c.updated_at, m.agency, m.role"
          + " from hub_case c left join case_member m on m.case_ref = c.case_ref";

  private static final String SELECT_ANY = SELECT + " where c.case_ref = any (?)";

  /** The cases of the rows {@code ps} selects ({@link #SELECT}), by caseRef. */
  private static Map<String, CaseFile> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return read(rs);
    }
  }

  /** The cases of the rows of {@code rs} ({@link #SELECT}), by caseRef. */
  private static Map<String, CaseFile> read(ResultSet rs) throws SQLException {
    record Head(String area, boolean open, Instant openedAt, Instant updatedAt) {}
    Map<String, Head> heads = new LinkedHashMap<>();
    Map<String, Map<String, CaseRole>> members = new HashMap<>();
    while (rs.next()) {
      String ref = rs.getString(1);
      if (!heads.containsKey(ref)) {
        heads.put(
            ref,
            new Head(
                rs.getString(2),
                "open".equals(rs.getString(3)),
                rs.getTimestamp(4).toInstant(),
                rs.getTimestamp(5).toInstant()));
      }
      String agency = rs.getString(6);
      Map<String, CaseRole> of = members.computeIfAbsent(ref, r -> new LinkedHashMap<>());
      if (agency != null) {
        of.put(agency, CaseRole.parse(rs.getString(7)));
      }
    }
    Map<String, CaseFile> cases = new HashMap<>();
    heads.forEach(
        (ref, h) ->
            cases.put(
                ref,
                new CaseFile(
                    ref, h.area(), h.open(), members.get(ref), h.openedAt(), h.updatedAt())));
    return cases;
  }

  /** Inserts an open case with its members; false (and nothing written) if the caseRef exists. */
  public boolean insert(Connection c, CaseFile file) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into hub_case (case_ref, area, status, opened_at, updated_at)"
                + " values (?, ?, ?, ?, ?) on conflict (case_ref) do nothing")) {
      ps.setString(1, file.caseRef());
      ps.setString(2, file.area());
      ps.setString(3, file.status());
      ps.setTimestamp(4, Timestamp.from(file.openedAt()));
      ps.setTimestamp(5, Timestamp.from(file.updatedAt()));
      if (ps.executeUpdate() != 1) {
        return false;
      }
    }
    for (Map.Entry<String, CaseRole> m : file.members().entrySet()) {
      putMember(c, file.caseRef(), m.getKey(), m.getValue(), file.openedAt());
    }
    return true;
  }

  /** Adds a member, or changes its role. */
  public void putMember(Connection c, String caseRef, String agency, CaseRole role, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into case_member (case_ref, agency, role, added_at) values (?, ?, ?, ?)"
                + " on conflict (case_ref, agency) do update set role = excluded.role")) {
      ps.setString(1, caseRef);
      ps.setString(2, agency);
      ps.setString(3, role.wire());
      ps.setTimestamp(4, Timestamp.from(now));
      ps.executeUpdate();
    }
    touch(c, caseRef, now);
  }

  /** Removes a member; false if it was none. */
  public boolean removeMember(Connection c, String caseRef, String agency, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("delete from case_member where case_ref = ? and agency = ?")) {
      ps.setString(1, caseRef);
      ps.setString(2, agency);
      if (ps.executeUpdate() != 1) {
        return false;
      }
    }
    touch(c, caseRef, now);
    return true;
  }

  /** Opens or closes the case. */
  public void setOpen(Connection c, String caseRef, boolean open, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("update hub_case set status = ?, updated_at = ? where case_ref = ?")) {
      ps.setString(1, open ? "open" : "closed");
      ps.setTimestamp(2, Timestamp.from(now));
      ps.setString(3, caseRef);
      ps.executeUpdate();
    }
  }

  private static void touch(Connection c, String caseRef, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("update hub_case set updated_at = ? where case_ref = ?")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, caseRef);
      ps.executeUpdate();
    }
  }
}
