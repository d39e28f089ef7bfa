package org.safehub.audit;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs checkpoints with the hub's ECDSA P-256 key, so the private key can stay behind its owner's
 * opaque handle and never reaches this package.
 */
public interface CheckpointSigner {

  /** The key auditors verify checkpoints with. */
  PublicKey publicKey();

  /**
   * An ECDSA P-256 / SHA-256 signature (DER, as {@code SHA256withECDSA} makes it) over {@code
   * data}.
   */
  byte[] sign(byte[] data) throws Exception;

  /** A signer over a key pair held in memory. */
  static CheckpointSigner of(KeyPair keys) {
    Objects.requireNonNull(keys, "audit signing keys");
    Objects.requireNonNull(keys.getPrivate(), "audit signing private key");
    return new CheckpointSigner() {
      @Override
      public PublicKey publicKey() {
        return keys.getPublic();
      }

      @Override
      public byte[] sign(byte[] data) throws Exception {
        Signature signer = Signature.getInstance(Checkpoint.SIGNATURE_ALGORITHM);
        signer.initSign(keys.getPrivate());
        signer.update(data);
        return signer.sign();
      }

      @Override
      public String toString() {
        return "CheckpointSigner[" + Checkpoint.keyId(keys.getPublic()) + "]";
      }
    };
  }
}
