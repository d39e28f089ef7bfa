package org.safehub.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.audit.AuditDatabase;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.AgencyKeyGenerator;
import org.safehub.crypto.RecipientKeyType;

/**
 * The key directory is read for every pipeline batch: it parses a stored certificate once, and
 * still shows an added or revoked certificate on the very next read, on every instance.
 */
class AgencyKeyDirectoryIT {

  @TempDir Path dir;

  @Test
  void aStoredCertificateIsParsedOnceAndARevocationCountsOnTheNextRead() throws Exception {
    // Given a certificate in the directory, and a second hub instance on the same database
    DataSource ds = AuditDatabase.fresh();
    AgencyKeyDirectory keys = new AgencyKeyDirectory(ds);
    AgencyKeyDirectory otherInstance = new AgencyKeyDirectory(ds);
    AgencyCertificate cert =
        AgencyKeyGenerator.generate("demo-iss", RecipientKeyType.EC_P256, dir.resolve("a"));
    keys.add("demo-iss", cert.pem(), "test");

    // When it is read twice, Then the second read reuses the first parse
    AgencyCertificate first = keys.all().get("demo-iss").get(0);
    AgencyCertificate second = keys.all().get("demo-iss").get(0);
    assertSame(first, second);
    assertFalse(second.revoked());

    // When another instance revokes it, Then the next read here shows it revoked, and unusable
    assertTrue(otherInstance.revoke("demo-iss", cert.keyId()));
    List<AgencyCertificate> afterRevoke = keys.all().get("demo-iss");
    assertTrue(afterRevoke.get(0).revoked());
    assertTrue(AgencyKeyDirectory.current(afterRevoke, Instant.now()).isEmpty());

    // When a new certificate is added, Then the next read has both, the new one in use
    AgencyCertificate rotated =
        AgencyKeyGenerator.generate("demo-iss", RecipientKeyType.RSA, dir.resolve("b"));
    otherInstance.add("demo-iss", rotated.pem(), "test");
    List<AgencyCertificate> afterAdd = keys.all().get("demo-iss");
    assertEquals(2, afterAdd.size());
    AgencyCertificate inUse = AgencyKeyDirectory.current(afterAdd, Instant.now()).orElseThrow();
    assertEquals(rotated.keyId(), inUse.keyId());
    // and the new row, too, is parsed once
    assertSame(
        inUse, AgencyKeyDirectory.current(keys.all().get("demo-iss"), Instant.now()).orElseThrow());
  }
}
