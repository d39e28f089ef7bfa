package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgencyKeyGeneratorTest {
  @TempDir Path dir;

  @Test
  void generatesAnRsa3072KeyOwnerReadableAndACertificateThatPassesTheHubsChecks() throws Exception {
    // When
    AgencyCertificate cert = AgencyKeyGenerator.generate("demo-iss", RecipientKeyType.RSA, dir);
    // Then
    Path key = dir.resolve("demo-iss.key.pem");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertEquals(RecipientKeyType.RSA, cert.keyType());
    assertEquals(3072, ((RSAPublicKey) cert.certificate().getPublicKey()).getModulus().bitLength());
    assertEquals(
        cert,
        AgencyCertificate.parsePem("demo-iss", Files.readString(dir.resolve("demo-iss.cert.pem"))));
    assertTrue(cert.certificate().getKeyUsage()[2], "keyEncipherment");
  }

  @Test
  void generatesAnEcP256KeyWhoseCopiesOpen() throws Exception {
    // Given
    AgencyCertificate cert =
        AgencyKeyGenerator.generate("demo-mash", RecipientKeyType.EC_P256, dir);
    PrivateKey key = PemKeys.readPrivateKey(AgencyKeyGenerator.keyFile(dir, "demo-mash"));
    HubKeys hub = TestCerts.hub(dir, "hub");
    // When
    byte[] sealed =
        new CopySealer(hub.signingKey()).seal("hello".getBytes(StandardCharsets.UTF_8), cert);
    // Then
    assertEquals(RecipientKeyType.EC_P256, cert.keyType());
    assertTrue(cert.certificate().getKeyUsage()[4], "keyAgreement");
    assertEquals(
        "hello",
        new String(
            new CopyOpener()
                .open(sealed, key, cert.certificate(), hub.signingCertificate())
                .content(),
            StandardCharsets.UTF_8));
  }

  @Test
  void neverOverwritesAnExistingKeyButLoadsIt() throws Exception {
    AgencyCertificate first = AgencyKeyGenerator.generate("demo-cs", RecipientKeyType.EC_P256, dir);
    assertThrows(
        CryptoException.class,
        () -> AgencyKeyGenerator.generate("demo-cs", RecipientKeyType.EC_P256, dir));
    assertEquals(
        first, AgencyKeyGenerator.loadOrGenerate("demo-cs", RecipientKeyType.EC_P256, dir));
  }

  @Test
  void agencyIdMustBeASlugSoItCannotEscapeTheFolder() {
    for (String bad : new String[] {"../etc/x", "Demo", "a/b", "", "x"}) {
      assertThrows(
          CryptoException.class,
          () -> AgencyKeyGenerator.generate(bad, RecipientKeyType.EC_P256, dir),
          bad);
    }
  }
}
