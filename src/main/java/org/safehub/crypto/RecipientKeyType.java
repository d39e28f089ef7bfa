package org.safehub.crypto;

/** The kinds of agency key a copy can be sealed for, and so the recipient-info each gets. */
public enum RecipientKeyType {
  /** RSA (at least 2048 bits; demo keys are 3072): RSA-OAEP SHA-256 key transport. */
  RSA,
  /** EC on NIST P-256: ephemeral-static ECDH with the SHA-256 X9.63 KDF and AES-256 key wrap. */
  EC_P256
}
