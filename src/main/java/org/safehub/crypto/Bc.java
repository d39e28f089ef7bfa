package org.safehub.crypto;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one Bouncy Castle provider instance this package uses, passed by object so nothing is
 * registered globally, and conversions of keys and certificates into it: Bouncy Castle's CMS code
 * runs about 2-3x slower on the JDK's SunEC key objects (measured, see STACK.md).
 */
final class Bc {
  static final Provider PROVIDER = new BouncyCastleProvider();
  static final SecureRandom RANDOM = new SecureRandom();

  private Bc() {}

  /** The same private key as a Bouncy Castle key object (returned as is if it already is one). */
  static PrivateKey privateKey(PrivateKey key) throws CryptoException {
    if (key == null) {
      throw new CryptoException("no private key given");
    }
    if (key.getClass().getName().startsWith("org.bouncycastle.")) {
      return key;
    }
    byte[] pkcs8 = key.getEncoded();
    if (pkcs8 == null || !"PKCS#8".equals(key.getFormat())) {
      throw new CryptoException(
          "private key of type "
              + key.getAlgorithm()
              + " cannot be exported as PKCS#8 (hardware keys are not supported)");
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), PROVIDER)
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (Exception e) {
      throw new CryptoException("private key of type " + key.getAlgorithm() + " is not usable", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** The certificate as a Bouncy Castle object, so its public key is a Bouncy Castle key too. */
  static X509Certificate certificate(X509CertificateHolder holder) throws CertificateException {
    return new JcaX509CertificateConverter().setProvider(PROVIDER).getCertificate(holder);
  }

  static X509Certificate certificate(X509Certificate cert) throws CryptoException {
    if (cert == null) {
      throw new CryptoException("no certificate given");
    }
    if (cert.getClass().getName().startsWith("org.bouncycastle.")) {
      return cert;
    }
    try {
      return certificate(new X509CertificateHolder(cert.getEncoded()));
    } catch (Exception e) {
      throw new CryptoException("certificate cannot be re-encoded", e);
    }
  }
}
