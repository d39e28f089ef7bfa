package org.safehub.crypto;

/**
 * A data-encryption key in use: the key, its id and wrapped form, and a count of the operations
 * using it right now, so that retiring it (rotation, cache eviction) zeroes the key only once the
 * last of them has finished, never under a running encryption.
 */
final class Dek {
  final byte[] id;
  final byte[] wrapped;
  final DestroyableAesKey key;
  private int users;
  private boolean retired;

  Dek(byte[] id, byte[] wrapped, DestroyableAesKey key) {
    this.id = id;
    this.wrapped = wrapped;
    this.key = key;
  }

  /** Registers a user; false if the key is retired (the caller must get another). */
  synchronized boolean acquire() {
    if (retired) {
      return false;
    }
    users++;
    return true;
  }

  synchronized void release() {
    users--;
    if (retired && users == 0) {
      key.destroy();
    }
  }

  /** No new users; the key is destroyed now, or when its last user releases it. */
  synchronized void retire() {
    retired = true;
    if (users == 0) {
      key.destroy();
    }
  }

  @Override
  public String toString() {
    return "Dek[" + java.util.HexFormat.of().formatHex(id) + "]";
  }
}
