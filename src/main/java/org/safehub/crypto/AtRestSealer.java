package org.safehub.crypto;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.safehub.config.SafehubConfig;

/**
 * Seals the hub's own records at rest (inbound, retry and dead-letter topics) the way Kroxylicious'
 * record encryption does: AES-256-GCM under data-encryption keys (DEKs) that the hub generates,
 * uses for at most {@link DekPolicy#maxRecords()} records or {@link DekPolicy#maxAge()}, then
 * rotates; each DEK travels with the record wrapped by the hub's key-encryption key (AES-KWP, RFC
 * 5649), so a public-key operation never sits on the per-record path.
 *
 * <p>Sealed record, version 1 (85 bytes plus the plaintext):
 *
 * <pre>
 * offset  length  field
 *      0       1  version, 0x01
 *      1      16  DEK id (random)
 *     17      40  the DEK wrapped with the KEK (AES-KWP of the 32-byte AES-256 key)
 *     57      12  nonce: 4 random bytes fixed per DEK || 8-byte big-endian count of records sealed under that DEK
 *     69   n + 16 AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag
 * GCM additional data = bytes 0..56 (version, DEK id, wrapped DEK) || the caller's aad
 * </pre>
 *
 * Nonces never repeat under a DEK: each DEK belongs to one sealer instance, and its counter is
 * taken under a lock and capped by maxRecords (at most 2^31, far below GCM's limits). The caller's
 * aad (see {@link #aad(String, byte[])}) binds a record to its topic and key, so a sealed value
 * moved to another topic or key fails to open. Unwrapped DEKs are cached for opening; a DEK's bytes
 * are zeroed when it is rotated out or evicted, once no operation is still using it. Thread-safe.
 */
@Singleton
public final class AtRestSealer implements AutoCloseable {
  public static final byte VERSION_1 = 0x01;
  static final int DEK_ID_BYTES = 16;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int WRAPPED_OFFSET = 1 + DEK_ID_BYTES;
  static final int HEADER_BYTES = WRAPPED_OFFSET + KeyEncryptionKey.WRAPPED_DEK_BYTES;
  static final int CIPHERTEXT_OFFSET = HEADER_BYTES + NONCE_BYTES;

  /** Bytes a sealed record adds to its plaintext. */
  public static final int OVERHEAD = CIPHERTEXT_OFFSET + TAG_BYTES;

  static final int OPEN_CACHE_SIZE = 1024;

  private static final ThreadLocal<Cipher> GCM =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
            }
          });

  /** When a DEK is rotated: after this many records or this much time, whichever comes first. */
  public record DekPolicy(long maxRecords, Duration maxAge) {
    public static final long MAX_RECORDS_LIMIT = 1L << 31;
    public static final DekPolicy DEFAULT = new DekPolicy(100_000, Duration.ofHours(1));

    public DekPolicy {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxRecords < 1 || maxRecords > MAX_RECORDS_LIMIT) {
        throw new IllegalArgumentException("maxRecords must be between 1 and 2^31");
      }
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive");
      }
    }
  }

  private final KeyEncryptionKey kek;
  private final DekPolicy policy;
  private final Clock clock;

  // the DEK new records are sealed under; guarded by this
  private Dek active;
  private byte[] activeSalt;
  private long activeCount;
  private long activeSince;
  private volatile boolean closed;

  // unwrapped DEKs for opening, keyed by their wrapped form (a pure function of the DEK under this
  // KEK); guarded by itself
  private final LinkedHashMap<ByteBuffer, Dek> opened =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Dek> eldest) {
          if (size() > OPEN_CACHE_SIZE) {
            eldest.getValue().retire();
            return true;
          }
          return false;
        }
      };

  /** With the hub's key-encryption key and the data-key limits of {@code safehub.keys.*}. */
  @Inject
  public AtRestSealer(HubKeys keys, SafehubConfig config) {
    this(
        keys.keyEncryptionKey(),
        new DekPolicy(config.keys().atRestDekMaxRecords(), config.keys().atRestDekMaxAge()));
  }

  public AtRestSealer(KeyEncryptionKey kek, DekPolicy policy) {
    this(kek, policy, Clock.systemUTC());
  }

  public AtRestSealer(KeyEncryptionKey kek, DekPolicy policy, Clock clock) {
    this.kek = Objects.requireNonNull(kek, "kek");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The additional data for a record of {@code topic} with key {@code recordKey} (null for none):
   * both lengths are written, so no two (topic, key) pairs give the same bytes.
   */
  public static byte[] aad(String topic, byte[] recordKey) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    int keyLength = recordKey == null ? 0 : recordKey.length;
    ByteBuffer b = ByteBuffer.allocate(8 + t.length + keyLength);
    b.putInt(t.length).put(t).putInt(recordKey == null ? -1 : keyLength);
    if (recordKey != null) {
      b.put(recordKey);
    }
    return b.array();
  }

  public byte[] seal(byte[] plaintext, byte[] aad) throws CryptoException {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(aad, "aad");
    if (plaintext.length > Integer.MAX_VALUE - OVERHEAD) {
      throw new CryptoException("record too large to seal");
    }
    Dek dek;
    byte[] nonce = new byte[NONCE_BYTES];
    synchronized (this) {
      dek = reserve(nonce);
    }
    try {
      byte[] out = new byte[OVERHEAD + plaintext.length];
      out[0] = VERSION_1;
      System.arraycopy(dek.id, 0, out, 1, DEK_ID_BYTES);
      System.arraycopy(dek.wrapped, 0, out, WRAPPED_OFFSET, KeyEncryptionKey.WRAPPED_DEK_BYTES);
      System.arraycopy(nonce, 0, out, HEADER_BYTES, NONCE_BYTES);
      Cipher gcm = GCM.get();
      gcm.init(Cipher.ENCRYPT_MODE, dek.key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      gcm.updateAAD(out, 0, HEADER_BYTES);
      gcm.updateAAD(aad);
      int written = gcm.doFinal(plaintext, 0, plaintext.length, out, CIPHERTEXT_OFFSET);
      if (written != plaintext.length + TAG_BYTES) {
        throw new CryptoException("AES-GCM wrote an unexpected length");
      }
      return out;
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new CryptoException("record could not be sealed", e);
    } finally {
      dek.release();
    }
  }

  public byte[] open(byte[] sealed, byte[] aad) throws CryptoException {
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(aad, "aad");
    if (sealed.length < OVERHEAD) {
      throw new CryptoException(
          "sealed record is too short (" + sealed.length + " bytes; at least " + OVERHEAD + ")");
    }
    if (sealed[0] != VERSION_1) {
      throw new CryptoException(
          String.format("unsupported sealed-record version 0x%02x", sealed[0]));
    }
    Dek dek =
        dekFor(ByteBuffer.wrap(sealed, WRAPPED_OFFSET, KeyEncryptionKey.WRAPPED_DEK_BYTES).slice());
    try {
      Cipher gcm = GCM.get();
      gcm.init(
          Cipher.DECRYPT_MODE,
          dek.key,
          new GCMParameterSpec(TAG_BYTES * 8, sealed, HEADER_BYTES, NONCE_BYTES));
      gcm.updateAAD(sealed, 0, HEADER_BYTES);
      gcm.updateAAD(aad);
      return gcm.doFinal(sealed, CIPHERTEXT_OFFSET, sealed.length - CIPHERTEXT_OFFSET);
    } catch (AEADBadTagException e) {
      throw new CryptoException(
          "sealed record failed authentication: altered, or opened with another topic or record key");
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new CryptoException("sealed record could not be opened", e);
    } finally {
      dek.release();
    }
  }

  /** The DEK id of a sealed record, as hex (for diagnostics and tests; not secret). */
  static String dekId(byte[] sealed) {
    return HexFormat.of().formatHex(sealed, 1, 1 + DEK_ID_BYTES);
  }

  /** Zeroes every DEK this sealer holds (once in-flight operations finish); later calls fail. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (active != null) {
        active.retire();
        active = null;
      }
    }
    synchronized (opened) {
      opened.values().forEach(Dek::retire);
      opened.clear();
    }
  }

  /**
   * Takes the next nonce of the active DEK, rotating first if it is used up or too old; guarded by
   * this.
   */
  private Dek reserve(byte[] nonce) throws CryptoException {
    if (closed) {
      throw new CryptoException("at-rest sealer is closed");
    }
    long now = clock.millis();
    if (active == null
        || activeCount >= policy.maxRecords()
        || now - activeSince >= policy.maxAge().toMillis()
        || now < activeSince) {
      rotate(now);
    }
    long counter = activeCount++;
    System.arraycopy(activeSalt, 0, nonce, 0, 4);
    ByteBuffer.wrap(nonce, 4, 8).putLong(counter);
    if (!active.acquire()) {
      throw new IllegalStateException(
          "active DEK was retired"); // cannot happen: only rotate() retires it, under this lock
    }
    return active;
  }

  private void rotate(long now) throws CryptoException {
    byte[] keyBytes = new byte[KeyEncryptionKey.KEY_BYTES];
    Bc.RANDOM.nextBytes(keyBytes);
    DestroyableAesKey key = new DestroyableAesKey(keyBytes);
    byte[] wrapped;
    try {
      byte[] copy = key.getEncoded();
      try {
        wrapped = kek.wrap(copy);
      } finally {
        java.util.Arrays.fill(copy, (byte) 0);
      }
    } catch (CryptoException | RuntimeException e) {
      key.destroy();
      throw e;
    }
    if (wrapped.length != KeyEncryptionKey.WRAPPED_DEK_BYTES) {
      key.destroy();
      throw new CryptoException("wrapped DEK has an unexpected length");
    }
    byte[] id = new byte[DEK_ID_BYTES];
    Bc.RANDOM.nextBytes(id);
    byte[] salt = new byte[4];
    Bc.RANDOM.nextBytes(salt);
    Dek previous = active;
    active = new Dek(id, wrapped, key);
    activeSalt = salt;
    activeCount = 0;
    activeSince = now;
    if (previous != null) {
      previous.retire();
    }
  }

  /** The unwrapped DEK for this wrapped form, acquired (the caller releases it). */
  private Dek dekFor(ByteBuffer wrapped) throws CryptoException {
    synchronized (opened) {
      if (closed) {
        throw new CryptoException("at-rest sealer is closed");
      }
      Dek cached = opened.get(wrapped);
      if (cached != null && cached.acquire()) {
        return cached;
      }
    }
    byte[] wrappedBytes = new byte[KeyEncryptionKey.WRAPPED_DEK_BYTES];
    wrapped.duplicate().get(wrappedBytes);
    Dek fresh = new Dek(new byte[0], wrappedBytes, new DestroyableAesKey(kek.unwrap(wrappedBytes)));
    synchronized (opened) {
      Dek cached = opened.get(wrapped);
      if (cached != null && cached.acquire()) {
        fresh.key.destroy();
        return cached;
      }
      fresh.acquire();
      if (!closed) {
        opened.put(ByteBuffer.wrap(wrappedBytes), fresh);
      } else {
        fresh.retire(); // destroyed when this caller releases it
      }
      return fresh;
    }
  }

  @Override
  public String toString() {
    return "AtRestSealer[" + policy + "]";
  }
}
