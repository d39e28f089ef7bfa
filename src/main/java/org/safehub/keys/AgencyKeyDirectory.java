package org.safehub.keys;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.CryptoException;
import org.safehub.crypto.PemKeys;
import org.safehub.db.ReadsTogether;

/**
 * The agency key directory in PostgreSQL: each agency's encryption certificates with key ids,
 * validity and revocation. New copies use the newest certificate that is valid now and not revoked;
 * an expired or revoked certificate is never used.
 */
@Singleton
public final class AgencyKeyDirectory {

  /** Parsed certificates kept at most (cleared when full; a directory holds far fewer). */
  static final int MAX_PARSED = 4096;

  private final DataSource ds;

  /**
   * Certificates already parsed and checked, by agency and PEM text: the rows are read for every
   * pipeline batch (so an added or revoked certificate counts at once, on every instance), but a
   * row whose text has not changed is not parsed again. Revocation is applied per read, from the
   * row, never cached.
   */
  private final Map<String, AgencyCertificate> parsed = new ConcurrentHashMap<>();

  @Inject
  public AgencyKeyDirectory(DataSource ds) {
    this.ds = ds;
  }

  /** Parses, checks and stores a certificate; a malformed, weak or expired one is refused. */
  public AgencyCertificate add(String agencyId, String pem, String actor)
      throws CryptoException, SQLException {
    try (Connection c = ds.getConnection()) {
      return add(c, agencyId, pem, actor);
    }
  }

  /**
   * As {@link #add(String, String, String)}, on the caller's connection (and so in its
   * transaction).
   */
  public AgencyCertificate add(Connection c, String agencyId, String pem, String actor)
      throws CryptoException, SQLException {
    AgencyCertificate cert = AgencyCertificate.parsePem(agencyId, pem);
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into agency_certificate (agency_id, key_id, pem, not_before, not_after, added_at, added_by) values (?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (agency_id, key_id) do nothing")) {
      ps.setString(1, agencyId);
      ps.setString(2, cert.keyId());
      ps.setString(3, cert.pem());
      ps.setTimestamp(4, Timestamp.from(cert.notBefore()));
      ps.setTimestamp(5, Timestamp.from(cert.notAfter()));
      ps.setTimestamp(6, Timestamp.from(Instant.now()));
      ps.setString(7, actor);
      ps.executeUpdate();
    }
    return cert;
  }

  /**
   * Revokes one certificate of an agency; false if the agency has no certificate with that key id.
   */
  public boolean revoke(String agencyId, String keyId) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return revoke(c, agencyId, keyId);
    }
  }

  /** As {@link #revoke(String, String)}, on the caller's connection (and so in its transaction). */
  public boolean revoke(Connection c, String agencyId, String keyId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update agency_certificate set revoked_at = coalesce(revoked_at, ?) where agency_id = ? and key_id = ?")) {
      ps.setTimestamp(1, Timestamp.from(Instant.now()));
      ps.setString(2, agencyId);
      ps.setString(3, keyId);
      return ps.executeUpdate() == 1;
    }
  }

  /** Every certificate of one agency, newest first. */
  public List<AgencyCertificate> list(String agencyId) throws SQLException {
    return all().getOrDefault(agencyId, List.of());
  }

  /**
   * Every agency's certificates, newest first (unreadable rows are skipped: they can never be
   * used).
   */
  public Map<String, List<AgencyCertificate>> all() throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT_ALL);
        ResultSet rs = ps.executeQuery()) {
      return all(rs);
    }
  }

  /**
   * {@link #all()} as a read to send with others ({@link ReadsTogether}); {@code into} is given the
   * certificates once the read has run.
   */
  public ReadsTogether.Read allRead(Consumer<Map<String, List<AgencyCertificate>>> into) {
    return new ReadsTogether.Read(
        SELECT_ALL, ReadsTogether.NO_PARAMETERS, rs -> into.accept(all(rs)));
  }

  private static final String SELECT_ALL =
      "select agency_id, pem, revoked_at from agency_certificate";

  private Map<String, List<AgencyCertificate>> all(ResultSet rs) throws SQLException {
    Map<String, List<AgencyCertificate>> out = new HashMap<>();
    while (rs.next()) {
      try {
        AgencyCertificate cert = parsed(rs.getString(1), rs.getString(2));
        if (rs.getTimestamp(3) != null) {
          cert = cert.revoke();
        }
        out.computeIfAbsent(cert.agencyId(), k -> new ArrayList<>()).add(cert);
      } catch (CryptoException e) {
        // fail closed: a certificate the hub cannot read is never used
      }
    }
    out.values()
        .forEach(l -> l.sort(Comparator.comparing(AgencyCertificate::notBefore).reversed()));
    return out;
  }

  private AgencyCertificate parsed(String agencyId, String pem) throws CryptoException {
    String key = agencyId + '\n' + pem;
    AgencyCertificate cert = parsed.get(key);
    if (cert == null) {
      cert = AgencyCertificate.of(agencyId, PemKeys.readCertificate(pem), Instant.EPOCH);
      if (parsed.size() >= MAX_PARSED) {
        parsed.clear();
      }
      parsed.put(key, cert);
    }
    return cert;
  }

  /** The certificate new copies for {@code agencyId} use now, if any. */
  public static Optional<AgencyCertificate> current(
      List<AgencyCertificate> newestFirst, Instant now) {
    return newestFirst.stream().filter(c -> !c.revoked() && c.usableAt(now)).findFirst();
  }
}
