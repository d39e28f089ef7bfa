package org.safehub.crypto;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds the self-signed end-entity certificates of the hub and of demo agencies. */
final class SelfSigned {
  private SelfSigned() {}

  /**
   * A v3 certificate for {@code keys}, signed by itself: basicConstraints CA:FALSE (critical), the
   * given key usage (critical), subject and authority key identifiers, a random 127-bit serial.
   */
  static X509Certificate certificate(
      KeyPair keys, X500Name subject, Instant notBefore, Instant notAfter, int keyUsage)
      throws CryptoException {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, Bc.RANDOM).setBit(126),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(keys.getPublic()));
      String algorithm =
          "RSA".equals(keys.getPrivate().getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
      ContentSigner signer =
          new JcaContentSignerBuilder(algorithm)
              .setProvider(Bc.PROVIDER)
              .setSecureRandom(Bc.RANDOM)
              .build(keys.getPrivate());
      return Bc.certificate(builder.build(signer));
    } catch (Exception e) {
      throw new CryptoException("self-signed certificate could not be made", e);
    }
  }
}
