package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SettableClock;

class AtRestSealerTest {
  static final byte[] RECORD =
      "{\"subject\":{\"name\":\"canary-4242\"}}".getBytes(StandardCharsets.UTF_8);
  static final byte[] AAD =
      AtRestSealer.aad("safehub.inbound", "msg-1".getBytes(StandardCharsets.UTF_8));

  final KeyEncryptionKey kek = KeyEncryptionKey.generate();
  final AtRestSealer sealer = new AtRestSealer(kek, AtRestSealer.DekPolicy.DEFAULT);

  @Test
  void sealedRecordOpensToThePlaintextAndHidesIt() throws Exception {
    // When
    byte[] sealed = sealer.seal(RECORD, AAD);
    // Then
    assertEquals(RECORD.length + AtRestSealer.OVERHEAD, sealed.length);
    assertEquals(AtRestSealer.VERSION_1, sealed[0]);
    assertEquals(
        -1, SealedCopyTest.indexOf(sealed, "canary-4242".getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals(RECORD, sealer.open(sealed, AAD));
    assertArrayEquals(new byte[0], sealer.open(sealer.seal(new byte[0], AAD), AAD));
  }

  @Test
  void anotherSealerWithTheSameKekOpensTheRecord() throws Exception {
    // e.g. after a restart, or another hub instance reading the retry topic
    byte[] sealed = sealer.seal(RECORD, AAD);
    assertArrayEquals(
        RECORD, new AtRestSealer(kek, AtRestSealer.DekPolicy.DEFAULT).open(sealed, AAD));
  }

  @Test
  void dekRotatesAfterMaxRecords() throws Exception {
    // Given
    AtRestSealer rotating =
        new AtRestSealer(kek, new AtRestSealer.DekPolicy(3, Duration.ofHours(1)));
    // When
    List<String> ids = new ArrayList<>();
    List<byte[]> sealed = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      byte[] s = rotating.seal(RECORD, AAD);
      sealed.add(s);
      ids.add(AtRestSealer.dekId(s));
    }
    // Then
    assertEquals(ids.get(0), ids.get(2));
    assertNotEquals(ids.get(2), ids.get(3));
    assertEquals(ids.get(3), ids.get(5));
    assertNotEquals(ids.get(5), ids.get(6));
    assertEquals(3, new LinkedHashSet<>(ids).size());
    for (byte[] s : sealed) {
      assertArrayEquals(RECORD, rotating.open(s, AAD));
    }
  }

  @Test
  void dekRotatesAfterMaxAge() throws Exception {
    // Given
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    AtRestSealer rotating =
        new AtRestSealer(kek, new AtRestSealer.DekPolicy(100_000, Duration.ofMinutes(10)), clock);
    String first = AtRestSealer.dekId(rotating.seal(RECORD, AAD));
    clock.now = clock.now.plus(Duration.ofMinutes(9));
    String stillFirst = AtRestSealer.dekId(rotating.seal(RECORD, AAD));
    // When
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    String second = AtRestSealer.dekId(rotating.seal(RECORD, AAD));
    // Then
    assertEquals(first, stillFirst);
    assertNotEquals(first, second);
  }

  @Test
  void noncesNeverRepeatUnderOneDek() throws Exception {
    AtRestSealer rotating =
        new AtRestSealer(kek, new AtRestSealer.DekPolicy(1000, Duration.ofHours(1)));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      byte[] s = rotating.seal(RECORD, AAD);
      String dekAndNonce =
          AtRestSealer.dekId(s)
              + java.util.HexFormat.of()
                  .formatHex(s, AtRestSealer.HEADER_BYTES, AtRestSealer.CIPHERTEXT_OFFSET);
      assertTrue(seen.add(dekAndNonce), "nonce reused under a DEK");
    }
  }

  @Test
  void flippedByteAnywhereFailsToOpen() throws Exception {
    byte[] sealed = sealer.seal(RECORD, AAD);
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      assertThrows(CryptoException.class, () -> sealer.open(tampered, AAD), "flip at " + i);
    }
    CryptoException e =
        assertThrows(
            CryptoException.class,
            () -> {
              byte[] tampered = sealed.clone();
              tampered[tampered.length - 1] ^= 0x01;
              sealer.open(tampered, AAD);
            });
    assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
  }

  @Test
  void truncatedOrUnknownVersionRecordIsRefused() throws Exception {
    byte[] sealed = sealer.seal(RECORD, AAD);
    assertTrue(
        assertThrows(
                CryptoException.class, () -> sealer.open(java.util.Arrays.copyOf(sealed, 40), AAD))
            .getMessage()
            .contains("too short"));
    sealed[0] = 0x02;
    assertEquals(
        "unsupported sealed-record version 0x02",
        assertThrows(CryptoException.class, () -> sealer.open(sealed, AAD)).getMessage());
  }

  @Test
  void recordMovedToAnotherTopicOrKeyFailsToOpen() throws Exception {
    byte[] sealed =
        sealer.seal(
            RECORD, AtRestSealer.aad("safehub.inbound", "msg-1".getBytes(StandardCharsets.UTF_8)));
    assertThrows(
        CryptoException.class,
        () ->
            sealer.open(
                sealed,
                AtRestSealer.aad("safehub.retry", "msg-1".getBytes(StandardCharsets.UTF_8))));
    assertThrows(
        CryptoException.class,
        () ->
            sealer.open(
                sealed,
                AtRestSealer.aad("safehub.inbound", "msg-2".getBytes(StandardCharsets.UTF_8))));
    assertThrows(
        CryptoException.class,
        () -> sealer.open(sealed, AtRestSealer.aad("safehub.inbound", null)));
  }

  @Test
  void aadOfTopicAndKeyIsUnambiguous() {
    assertFalse(
        java.util.Arrays.equals(
            AtRestSealer.aad("ab", "c".getBytes(StandardCharsets.UTF_8)),
            AtRestSealer.aad("a", "bc".getBytes(StandardCharsets.UTF_8))));
    assertFalse(
        java.util.Arrays.equals(AtRestSealer.aad("t", new byte[0]), AtRestSealer.aad("t", null)));
  }

  @Test
  void differentKekCannotOpen() throws Exception {
    byte[] sealed = sealer.seal(RECORD, AAD);
    AtRestSealer other =
        new AtRestSealer(KeyEncryptionKey.generate(), AtRestSealer.DekPolicy.DEFAULT);
    CryptoException e = assertThrows(CryptoException.class, () -> other.open(sealed, AAD));
    assertTrue(e.getMessage().contains("another key-encryption key"), e.getMessage());
  }

  @Test
  void closedSealerRefusesWorkAndZeroesItsKeys() throws Exception {
    byte[] sealed = sealer.seal(RECORD, AAD);
    sealer.open(sealed, AAD);
    sealer.close();
    assertThrows(CryptoException.class, () -> sealer.seal(RECORD, AAD));
    assertThrows(CryptoException.class, () -> sealer.open(sealed, AAD));
  }

  @Test
  void retiredDekIsZeroedOnlyAfterItsLastUserReleasesIt() {
    DestroyableAesKey key = new DestroyableAesKey(new byte[32]);
    Dek dek = new Dek(new byte[16], new byte[40], key);
    assertTrue(dek.acquire());
    dek.retire();
    assertFalse(key.isDestroyed(), "destroyed under a running operation");
    assertFalse(dek.acquire(), "a retired DEK takes no new users");
    dek.release();
    assertTrue(key.isDestroyed());
    assertThrows(IllegalStateException.class, key::getEncoded);
  }

  @Test
  void concurrentSealAndOpenAcrossRotationsAllRoundTrip() throws Exception {
    AtRestSealer rotating =
        new AtRestSealer(kek, new AtRestSealer.DekPolicy(50, Duration.ofHours(1)));
    Set<String> nonces = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 2000; i++) {
                    byte[] plain = ByteBuffer.allocate(8).putInt(thread).putInt(i).array();
                    byte[] s = rotating.seal(plain, AAD);
                    if (!nonces.add(
                        AtRestSealer.dekId(s)
                            + java.util.HexFormat.of()
                                .formatHex(
                                    s,
                                    AtRestSealer.HEADER_BYTES,
                                    AtRestSealer.CIPHERTEXT_OFFSET))) {
                      throw new AssertionError("nonce reused under a DEK");
                    }
                    assertArrayEquals(plain, rotating.open(s, AAD));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(8000, nonces.size());
  }

  @Test
  void dekPolicyRefusesLimitsThatCouldExhaustTheNonceSpace() {
    assertThrows(
        IllegalArgumentException.class, () -> new AtRestSealer.DekPolicy(0, Duration.ofHours(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AtRestSealer.DekPolicy((1L << 31) + 1, Duration.ofHours(1)));
    assertThrows(
        IllegalArgumentException.class, () -> new AtRestSealer.DekPolicy(10, Duration.ZERO));
  }
}
