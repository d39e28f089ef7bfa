package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

class AgencyCertificateTest {
  final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private static String rejection(String pem) {
    return assertThrows(CryptoException.class, () -> AgencyCertificate.parsePem("demo-iss", pem))
        .getMessage();
  }

  @Test
  void acceptsRsa2048AndEcP256WithKeyIdFromTheSubjectPublicKeyInfo() throws Exception {
    for (KeyPair keys : new KeyPair[] {TestCerts.rsa(2048), TestCerts.ec("secp256r1")}) {
      // Given
      X509Certificate cert = TestCerts.cert(keys);
      // When
      AgencyCertificate parsed = AgencyCertificate.parsePem("demo-iss", TestCerts.pem(cert));
      // Then
      byte[] spkiHash =
          MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
      assertEquals(HexFormat.of().formatHex(Arrays.copyOf(spkiHash, 16)), parsed.keyId());
      assertEquals("demo-iss", parsed.agencyId());
      assertEquals(cert, parsed.certificate());
      assertEquals(cert.getNotAfter().toInstant(), parsed.notAfter());
      assertFalse(parsed.revoked());
      assertTrue(parsed.usableAt(now));
    }
  }

  @Test
  void rejectsMalformedPem() {
    assertTrue(rejection("hello").startsWith("malformed PEM"), rejection("hello"));
    assertTrue(rejection("-----BEGIN CERTIFICATE-----\nMIIB\n").startsWith("malformed PEM"));
    assertTrue(
        rejection("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n")
            .startsWith("malformed PEM"));
    assertTrue(rejection("").startsWith("no PEM data"));
  }

  @Test
  void rejectsPemThatIsNotAnX509Certificate() throws Exception {
    String privateKey = PemKeys.privateKeyPem(TestCerts.ec("secp256r1").getPrivate());
    String message = rejection(privateKey);
    assertEquals("expected a PEM block of type CERTIFICATE, found PRIVATE KEY", message);
    String body = privateKey.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    for (int i = 0; i + 12 <= body.length(); i += 4) {
      assertFalse(message.contains(body.substring(i, i + 12)), "key material in the message");
    }
    String notDer =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getEncoder()
                .encodeToString("just some text, not DER".getBytes(StandardCharsets.UTF_8))
            + "\n-----END CERTIFICATE-----\n";
    assertEquals("PEM CERTIFICATE block does not hold a DER X.509 certificate", rejection(notDer));
  }

  @Test
  void rejectsMoreThanOneCertificate() throws Exception {
    String one = TestCerts.pem(TestCerts.cert(TestCerts.ec("secp256r1")));
    assertTrue(rejection(one + one).startsWith("expected exactly one PEM certificate"));
  }

  @Test
  void rejectsExpiredCertificate() throws Exception {
    X509Certificate expired =
        TestCerts.cert(
            TestCerts.ec("secp256r1"),
            now.minus(400, ChronoUnit.DAYS),
            now.minus(1, ChronoUnit.DAYS),
            null);
    assertEquals(
        "certificate expired on " + now.minus(1, ChronoUnit.DAYS),
        rejection(TestCerts.pem(expired)));
  }

  @Test
  void rejectsWeakRsa1024() throws Exception {
    assertEquals(
        "RSA key of 1024 bits is too weak (at least 2048 bits required)",
        rejection(TestCerts.pem(TestCerts.cert(TestCerts.rsa(1024)))));
  }

  @Test
  void rejectsDsa() throws Exception {
    String message = rejection(TestCerts.pem(TestCerts.cert(TestCerts.dsa())));
    assertTrue(
        message.startsWith("unsupported public key algorithm DSA (1.2.840.10040.4.1)"), message);
  }

  @Test
  void rejectsEcCurvesOtherThanP256() throws Exception {
    String message = rejection(TestCerts.pem(TestCerts.cert(TestCerts.ec("secp384r1"))));
    assertTrue(message.startsWith("EC key on curve P-384"), message);
  }

  @Test
  void rejectsKeyUsageThatForbidsSealing() throws Exception {
    X509Certificate signOnlyRsa =
        TestCerts.cert(
            TestCerts.rsa(2048),
            now.minus(1, ChronoUnit.DAYS),
            now.plus(30, ChronoUnit.DAYS),
            KeyUsage.digitalSignature);
    assertTrue(rejection(TestCerts.pem(signOnlyRsa)).contains("keyEncipherment"));
    X509Certificate signOnlyEc =
        TestCerts.cert(
            TestCerts.ec("secp256r1"),
            now.minus(1, ChronoUnit.DAYS),
            now.plus(30, ChronoUnit.DAYS),
            KeyUsage.digitalSignature);
    assertTrue(rejection(TestCerts.pem(signOnlyEc)).contains("keyAgreement"));
  }

  @Test
  void notYetValidCertificateIsAcceptedButNotUsableUntilItsStart() throws Exception {
    // an agency may register its next certificate before it starts
    X509Certificate next =
        TestCerts.cert(
            TestCerts.ec("secp256r1"),
            now.plus(1, ChronoUnit.DAYS),
            now.plus(400, ChronoUnit.DAYS),
            null);
    AgencyCertificate parsed = AgencyCertificate.parsePem("demo-iss", TestCerts.pem(next));
    assertFalse(parsed.usableAt(now));
    assertTrue(parsed.usableAt(now.plus(2, ChronoUnit.DAYS)));
  }

  @Test
  void revokedCertificateIsNeverUsable() throws Exception {
    AgencyCertificate revoked =
        AgencyCertificate.parsePem(
                "demo-iss", TestCerts.pem(TestCerts.cert(TestCerts.ec("secp256r1"))))
            .revoke();
    assertTrue(revoked.revoked());
    assertFalse(revoked.usableAt(now));
  }

  @Test
  void recordRefusesAKeyIdThatDoesNotMatchTheCertificate() throws Exception {
    AgencyCertificate good =
        AgencyCertificate.parsePem(
            "demo-iss", TestCerts.pem(TestCerts.cert(TestCerts.ec("secp256r1"))));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new AgencyCertificate(
                "demo-iss",
                "00".repeat(16),
                good.certificate(),
                good.notBefore(),
                good.notAfter(),
                false));
  }
}
