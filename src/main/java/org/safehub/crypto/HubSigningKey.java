package org.safehub.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * Opaque handle to the hub's ECDSA P-256 signing key and its certificate. The private key is a
 * Bouncy Castle key object and is handed only to the sealing classes of this package.
 */
public final class HubSigningKey {
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private final PrivateKey key;
  private final X509Certificate certificate;

  HubSigningKey(PrivateKey bcKey, X509Certificate bcCertificate) {
    this.key = Objects.requireNonNull(bcKey, "key");
    this.certificate = Objects.requireNonNull(bcCertificate, "certificate");
  }

  PrivateKey privateKey() {
    return key;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * An ECDSA P-256 / SHA-256 signature (DER) over {@code data}, e.g. for audit checkpoints; it
   * verifies with the certificate's public key ({@link HubKeys#verificationKeyPem()}).
   */
  public byte[] sign(byte[] data) throws CryptoException {
    try {
      Signature signature = Signature.getInstance(SIGNATURE_ALGORITHM, Bc.PROVIDER);
      signature.initSign(key, Bc.RANDOM);
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new CryptoException("hub signature failed", e);
    }
  }

  @Override
  public String toString() {
    return "HubSigningKey[EC P-256, certificate serial "
        + certificate.getSerialNumber().toString(16)
        + "]";
  }
}
