package org.safehub.crypto;

/**
 * A key, certificate or sealed object could not be used, so the operation was refused (fail
 * closed). Messages name the fault, never key material or content.
 */
public final class CryptoException extends Exception {
  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
