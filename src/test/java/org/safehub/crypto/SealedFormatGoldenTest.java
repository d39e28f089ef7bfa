package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Copies and at-rest records sealed by version 1 of the formats (files under
 * src/test/resources/crypto/, written once by {@link GoldenFilesWriter}) must keep opening.
 */
class SealedFormatGoldenTest {

  static byte[] resource(String name) throws Exception {
    try (InputStream in = SealedFormatGoldenTest.class.getResourceAsStream("/crypto/" + name)) {
      assertNotNull(in, "missing golden file crypto/" + name);
      return in.readAllBytes();
    }
  }

  static String text(String name) throws Exception {
    return new String(resource(name), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ec"})
  void version1SealedCopyStillOpensAndVerifies(String kind) throws Exception {
    // Given
    byte[] copy = resource("copy-v1-" + kind + ".der");
    // When
    CopyOpener.Opened opened =
        new CopyOpener()
            .open(
                copy,
                PemKeys.readPrivateKey(text("agency-" + kind + ".test-only.key.pem")),
                PemKeys.readCertificate(text("agency-" + kind + ".cert.pem")),
                PemKeys.readCertificate(text("hub.cert.pem")));
    // Then
    assertArrayEquals(resource("copy-content.json"), opened.content());
    assertTrue(opened.signingTime().isBefore(Instant.now()));
  }

  @Test
  void version1AtRestRecordKeepsItsLayoutAndStillOpens() throws Exception {
    // Given
    byte[] sealed = resource("at-rest-v1.bin");
    byte[] content = resource("copy-content.json");
    KeyEncryptionKey kek =
        KeyEncryptionKey.ofBytes(
            HexFormat.of().parseHex(text("at-rest-kek.test-only.hex").strip()));
    byte[] aad =
        AtRestSealer.aad(
            GoldenFilesWriter.TOPIC, GoldenFilesWriter.RECORD_KEY.getBytes(StandardCharsets.UTF_8));
    AtRestSealer sealer = new AtRestSealer(kek, AtRestSealer.DekPolicy.DEFAULT);
    // Then: 1 version + 16 DEK id + 40 wrapped DEK + 12 nonce + ciphertext + 16 tag
    assertEquals(0x01, sealed[0]);
    assertEquals(1 + 16 + 40 + 12 + content.length + 16, sealed.length);
    assertArrayEquals(content, sealer.open(sealed, aad));
    assertThrows(
        CryptoException.class,
        () -> sealer.open(sealed, AtRestSealer.aad(GoldenFilesWriter.TOPIC, null)));
  }
}
