package org.safehub.crypto;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Keys and certificates of every shape the tests need, good and bad, made in memory. */
final class TestCerts {
  private TestCerts() {}

  /** An agency's key pair and certificate. */
  record Agency(String id, PrivateKey key, X509Certificate cert, AgencyCertificate parsed) {}

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", Bc.PROVIDER);
    g.initialize(bits);
    return g.generateKeyPair();
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", Bc.PROVIDER);
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static KeyPair dsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static X509Certificate cert(KeyPair keys, Instant notBefore, Instant notAfter, Integer keyUsage)
      throws Exception {
    X500Name name = new X500Name("CN=test agency");
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(System.nanoTime()),
            Date.from(notBefore),
            Date.from(notAfter),
            name,
            keys.getPublic());
    if (keyUsage != null) {
      b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    }
    String alg =
        switch (keys.getPrivate().getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "DSA" -> "SHA256withDSA";
          default -> "SHA256withECDSA";
        };
    return Bc.certificate(new X509CertificateHolderBuilder(b).sign(alg, keys.getPrivate()));
  }

  static X509Certificate cert(KeyPair keys) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return cert(keys, now.minus(1, ChronoUnit.DAYS), now.plus(365, ChronoUnit.DAYS), null);
  }

  static String pem(X509Certificate cert) throws Exception {
    return PemKeys.certificatePem(cert);
  }

  static Agency agency(String id, RecipientKeyType type) throws Exception {
    KeyPair keys = type == RecipientKeyType.RSA ? rsa(3072) : ec("secp256r1");
    X509Certificate cert = cert(keys);
    return new Agency(id, keys.getPrivate(), cert, AgencyCertificate.parsePem(id, pem(cert)));
  }

  static HubKeys hub(Path dir, String name) throws Exception {
    return HubKeys.loadOrCreate(dir.resolve(name + ".p12"), "test-password".toCharArray());
  }

  /** Small wrapper so the signing step reads as one line above. */
  private record X509CertificateHolderBuilder(X509v3CertificateBuilder builder) {
    org.bouncycastle.cert.X509CertificateHolder sign(String algorithm, PrivateKey key)
        throws Exception {
      return builder.build(new JcaContentSignerBuilder(algorithm).build(key));
    }
  }
}
