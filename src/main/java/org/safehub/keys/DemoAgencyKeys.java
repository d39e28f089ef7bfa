package org.safehub.keys;

import java.nio.file.Path;
import java.sql.SQLException;
import org.jboss.logging.Logger;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.CryptoException;
import org.safehub.crypto.RecipientKeyType;

/**
 * Development only ({@code safehub.keys.demo-agency-keys}): a key pair per registered agency (RSA
 * for some, EC P-256 for others, so both recipient kinds are exercised), kept in {@code dir}, and
 * its certificate registered if the agency has none.
 */
public final class DemoAgencyKeys {

  private static final Logger LOG = Logger.getLogger(DemoAgencyKeys.class);

  private DemoAgencyKeys() {}

  public static void register(AgencyDirectory agencies, AgencyKeyDirectory directory, Path dir) {
    int i = 0;
    for (Agency a : agencies.all()) {
      RecipientKeyType type = (i++ % 2 == 0) ? RecipientKeyType.RSA : RecipientKeyType.EC_P256;
      try {
        AgencyCertificate cert = AgencyKeyGenerator.loadOrGenerate(a.id(), type, dir);
        if (directory.list(a.id()).isEmpty()) {
          directory.add(a.id(), cert.pem(), "demo-bootstrap");
        }
      } catch (CryptoException | SQLException e) {
        throw new IllegalStateException(
            "cannot create demo keys for " + a.id() + ": " + e.getMessage());
      }
    }
    LOG.infof("demo agency keys (development only) in %s", dir);
  }
}
