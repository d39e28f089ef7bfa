package org.safehub.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A raw AES key whose bytes this package owns and can zero: the JDK's SecretKeySpec cannot be
 * destroyed. After {@link #destroy()} every use fails instead of silently using a zero key.
 */
final class DestroyableAesKey implements SecretKey {
  private static final long serialVersionUID = 1L;

  private final byte[] key;
  private volatile boolean destroyed;

  /** Takes ownership of {@code key} (the caller must not keep or zero it). */
  DestroyableAesKey(byte[] key) {
    if (key == null || (key.length != 16 && key.length != 24 && key.length != 32)) {
      throw new IllegalArgumentException("an AES key is 16, 24 or 32 bytes");
    }
    this.key = key;
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("key has been destroyed");
    }
    return key.clone();
  }

  int length() {
    return key.length;
  }

  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.NotSerializableException {
    throw new java.io.NotSerializableException("key material is never serialized");
  }

  @Override
  public String toString() {
    return "DestroyableAesKey[AES-" + key.length * 8 + (destroyed ? ", destroyed]" : "]");
  }
}
