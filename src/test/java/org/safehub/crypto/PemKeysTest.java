package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;

class PemKeysTest {

  @Test
  void readsPkcs8AndTraditionalRsaAndEcPrivateKeysAsBouncyCastleKeys() throws Exception {
    for (KeyPair keys : new KeyPair[] {TestCerts.rsa(2048), TestCerts.ec("secp256r1")}) {
      // PKCS#8
      PrivateKey pkcs8 = PemKeys.readPrivateKey(PemKeys.privateKeyPem(keys.getPrivate()));
      assertArrayEquals(keys.getPrivate().getEncoded(), pkcs8.getEncoded());
      assertTrue(pkcs8.getClass().getName().startsWith("org.bouncycastle."));
      // traditional ("RSA PRIVATE KEY" / "EC PRIVATE KEY")
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(keys);
      }
      assertTrue(
          out.toString()
              .contains(
                  "-----BEGIN "
                      + keys.getPrivate().getAlgorithm().replace("ECDSA", "EC")
                      + " PRIVATE KEY-----"),
          out.toString().lines().findFirst().orElse(""));
      PrivateKey traditional = PemKeys.readPrivateKey(out.toString());
      assertEquals(
          keys.getPrivate().getAlgorithm().replace("ECDSA", "EC"),
          traditional.getAlgorithm().replace("ECDSA", "EC"));
    }
  }

  @Test
  void refusesEncryptedPrivateKeysWithAHint() throws Exception {
    KeyPair keys = TestCerts.ec("secp256r1");
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          new JcaPKCS8Generator(
              keys.getPrivate(),
              new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                  .setPassword("pw".toCharArray())
                  .setProvider(Bc.PROVIDER)
                  .build()));
    }
    CryptoException e =
        assertThrows(CryptoException.class, () -> PemKeys.readPrivateKey(out.toString()));
    assertTrue(
        e.getMessage().startsWith("encrypted PEM private keys are not supported"), e.getMessage());
  }

  @Test
  void refusesACertificateWhereAKeyIsExpected() throws Exception {
    String cert = TestCerts.pem(TestCerts.cert(TestCerts.ec("secp256r1")));
    assertThrows(CryptoException.class, () -> PemKeys.readPrivateKey(cert));
    assertThrows(CryptoException.class, () -> PemKeys.readPrivateKey("no pem here"));
  }

  @Test
  void certificatePemRoundTrips() throws Exception {
    X509Certificate cert = TestCerts.cert(TestCerts.rsa(2048));
    String pem = PemKeys.certificatePem(cert);
    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----"));
    assertEquals(cert, PemKeys.readCertificate(pem));
  }
}
