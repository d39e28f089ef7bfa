package org.safehub.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * Opaque handle to the hub's AES-256 key-encryption key (KEK), which wraps the data-encryption keys
 * of {@link AtRestSealer} with AES key wrap with padding (RFC 5649, the JDK's AES/KWP/NoPadding).
 * The key bytes never leave this package.
 */
public final class KeyEncryptionKey implements Destroyable {
  static final int KEY_BYTES = 32;

  /** RFC 5649 output for a 32-byte key: the key plus the 8-byte integrity block. */
  static final int WRAPPED_DEK_BYTES = KEY_BYTES + 8;

  private static final String WRAP = "AES/KWP/NoPadding";

  private final DestroyableAesKey key;

  KeyEncryptionKey(DestroyableAesKey key) {
    if (key.length() != KEY_BYTES) {
      throw new IllegalArgumentException("a key-encryption key is AES-256");
    }
    this.key = key;
  }

  static KeyEncryptionKey generate() {
    byte[] bytes = new byte[KEY_BYTES];
    Bc.RANDOM.nextBytes(bytes);
    return new KeyEncryptionKey(new DestroyableAesKey(bytes));
  }

  /** For tests and key-store loading: a KEK with a copy of these bytes. */
  static KeyEncryptionKey ofBytes(byte[] bytes) {
    return new KeyEncryptionKey(new DestroyableAesKey(bytes.clone()));
  }

  /** The key itself, for storing it in the hub key store. */
  SecretKey secretKey() {
    return key;
  }

  /** Wraps a 32-byte data key; the result is {@link #WRAPPED_DEK_BYTES} long. */
  byte[] wrap(byte[] dek) throws CryptoException {
    try {
      Cipher cipher = Cipher.getInstance(WRAP);
      cipher.init(Cipher.ENCRYPT_MODE, key);
      return cipher.doFinal(dek);
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new CryptoException("data-encryption key could not be wrapped", e);
    }
  }

  /**
   * Unwraps a data key; fails if it was wrapped under another KEK or was altered (RFC 5649
   * integrity check).
   */
  byte[] unwrap(byte[] wrapped) throws CryptoException {
    byte[] dek;
    try {
      Cipher cipher = Cipher.getInstance(WRAP);
      cipher.init(Cipher.DECRYPT_MODE, key);
      dek = cipher.doFinal(wrapped);
    } catch (GeneralSecurityException e) {
      throw new CryptoException(
          "data-encryption key could not be unwrapped: sealed under another key-encryption key, or corrupted");
    } catch (IllegalStateException e) {
      throw new CryptoException("key-encryption key has been destroyed");
    }
    if (dek.length != KEY_BYTES) {
      Arrays.fill(dek, (byte) 0);
      throw new CryptoException("unwrapped data-encryption key has the wrong length");
    }
    return dek;
  }

  @Override
  public void destroy() {
    key.destroy();
  }

  @Override
  public boolean isDestroyed() {
    return key.isDestroyed();
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey[AES-256" + (isDestroyed() ? ", destroyed]" : "]");
  }
}
