package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.AuthEnvelopedData;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.KeyAgreeRecipientInfo;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAESOAEPparams;
import org.bouncycastle.cms.CMSAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedCopyTest {
  static final byte[] CONTENT =
      "{\"messageId\":\"6f1c\",\"type\":\"attendance\",\"message\":{\"note\":\"canary-7731\"}}"
          .getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static HubKeys hub;
  static HubKeys otherHub;
  static TestCerts.Agency rsaAgency;
  static TestCerts.Agency ecAgency;
  static TestCerts.Agency otherEcAgency;
  static TestCerts.Agency otherRsaAgency;
  static CopySealer sealer;
  final CopyOpener opener = new CopyOpener();

  @BeforeAll
  static void keys() throws Exception {
    hub = TestCerts.hub(dir, "hub");
    otherHub = TestCerts.hub(dir, "other-hub");
    rsaAgency = TestCerts.agency("demo-iss", RecipientKeyType.RSA);
    otherRsaAgency = TestCerts.agency("demo-cs", RecipientKeyType.RSA);
    ecAgency = TestCerts.agency("demo-mash", RecipientKeyType.EC_P256);
    otherEcAgency = TestCerts.agency("demo-marac", RecipientKeyType.EC_P256);
    sealer = new CopySealer(hub.signingKey());
  }

  private CopyOpener.Opened open(byte[] der, TestCerts.Agency agency) throws CryptoException {
    return opener.open(der, agency.key(), agency.cert(), hub.signingCertificate());
  }

  @Test
  void rsaRecipientOpensExactlyWhatTheHubSealed() throws Exception {
    // When
    byte[] sealed = sealer.seal(CONTENT, rsaAgency.parsed());
    // Then
    assertArrayEquals(CONTENT, open(sealed, rsaAgency).content());
  }

  @Test
  void ecRecipientOpensExactlyWhatTheHubSealed() throws Exception {
    byte[] sealed = sealer.seal(CONTENT, ecAgency.parsed());
    assertArrayEquals(CONTENT, open(sealed, ecAgency).content());
  }

  @Test
  void sealedCopyIsAuthEnvelopedAes256GcmWithOaepSha256OrEcdhSha256KdfAndNoPlaintext()
      throws Exception {
    // Given
    byte[] rsa = sealer.seal(CONTENT, rsaAgency.parsed());
    byte[] ec = sealer.seal(CONTENT, ecAgency.parsed());
    // Then
    for (byte[] der : List.of(rsa, ec)) {
      ContentInfo info = ContentInfo.getInstance(ASN1Primitive.fromByteArray(der));
      assertEquals(CMSObjectIdentifiers.authEnvelopedData, info.getContentType());
      AuthEnvelopedData env = AuthEnvelopedData.getInstance(info.getContent());
      assertEquals(
          CMSAlgorithm.AES256_GCM,
          env.getAuthEncryptedContentInfo().getContentEncryptionAlgorithm().getAlgorithm());
      assertEquals(1, env.getRecipientInfos().size());
      assertEquals(
          -1,
          indexOf(der, "canary-7731".getBytes(StandardCharsets.UTF_8)),
          "plaintext visible in sealed copy");
    }
    RecipientInfo rsaInfo =
        RecipientInfo.getInstance(
            AuthEnvelopedData.getInstance(
                    ContentInfo.getInstance(ASN1Primitive.fromByteArray(rsa)).getContent())
                .getRecipientInfos()
                .getObjectAt(0));
    KeyTransRecipientInfo ktri = KeyTransRecipientInfo.getInstance(rsaInfo.getInfo());
    assertEquals(
        PKCSObjectIdentifiers.id_RSAES_OAEP, ktri.getKeyEncryptionAlgorithm().getAlgorithm());
    RSAESOAEPparams oaep =
        RSAESOAEPparams.getInstance(ktri.getKeyEncryptionAlgorithm().getParameters());
    assertEquals(NISTObjectIdentifiers.id_sha256, oaep.getHashAlgorithm().getAlgorithm());
    assertEquals(PKCSObjectIdentifiers.id_mgf1, oaep.getMaskGenAlgorithm().getAlgorithm());
    RecipientInfo ecInfo =
        RecipientInfo.getInstance(
            AuthEnvelopedData.getInstance(
                    ContentInfo.getInstance(ASN1Primitive.fromByteArray(ec)).getContent())
                .getRecipientInfos()
                .getObjectAt(0));
    KeyAgreeRecipientInfo kari = KeyAgreeRecipientInfo.getInstance(ecInfo.getInfo());
    assertEquals(CMSAlgorithm.ECDH_SHA256KDF, kari.getKeyEncryptionAlgorithm().getAlgorithm());
  }

  @Test
  void openedCopyCarriesTheHubsSigningTime() throws Exception {
    // Given
    Instant signedAt =
        Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    CopySealer fixedClock = new CopySealer(hub.signingKey(), Clock.fixed(signedAt, ZoneOffset.UTC));
    // When
    CopyOpener.Opened opened = open(fixedClock.seal(CONTENT, ecAgency.parsed()), ecAgency);
    // Then
    assertEquals(signedAt, opened.signingTime());
  }

  @Test
  void copyCannotBeOpenedWithAnotherAgencysKey() throws Exception {
    byte[] forRsa = sealer.seal(CONTENT, rsaAgency.parsed());
    byte[] forEc = sealer.seal(CONTENT, ecAgency.parsed());

    // another agency, with its own certificate: the copy is not addressed to it
    CryptoException notAddressed =
        assertThrows(CryptoException.class, () -> open(forRsa, otherRsaAgency));
    assertTrue(notAddressed.getMessage().contains("not addressed"), notAddressed.getMessage());
    assertThrows(CryptoException.class, () -> open(forEc, otherEcAgency));

    // another agency's key presented with the recipient's certificate: decryption fails
    assertThrows(
        CryptoException.class,
        () ->
            opener.open(forRsa, otherRsaAgency.key(), rsaAgency.cert(), hub.signingCertificate()));
    assertThrows(
        CryptoException.class,
        () -> opener.open(forEc, otherEcAgency.key(), ecAgency.cert(), hub.signingCertificate()));
  }

  @Test
  void flippedByteAnywhereInTheCiphertextOrTagFailsAuthentication() throws Exception {
    for (TestCerts.Agency agency : List.of(ecAgency, rsaAgency)) {
      // Given
      byte[] sealed = sealer.seal(CONTENT, agency.parsed());
      AuthEnvelopedData env =
          AuthEnvelopedData.getInstance(
              ContentInfo.getInstance(ASN1Primitive.fromByteArray(sealed)).getContent());
      byte[] ciphertext = env.getAuthEncryptedContentInfo().getEncryptedContent().getOctets();
      byte[] tag = env.getMac().getOctets();
      int ctAt = indexOf(sealed, ciphertext);
      int tagAt = indexOf(sealed, tag);
      assertTrue(ctAt > 0 && tagAt > ctAt, "ciphertext and tag located");
      List<Integer> positions = new ArrayList<>();
      for (int i = 0; i < ciphertext.length; i++) {
        positions.add(ctAt + i);
      }
      for (int i = 0; i < tag.length; i++) {
        positions.add(tagAt + i);
      }
      // When / Then
      for (int position : positions) {
        byte[] tampered = sealed.clone();
        tampered[position] ^= 0x01;
        CryptoException e =
            assertThrows(
                CryptoException.class, () -> open(tampered, agency), "flip at " + position);
        assertTrue(
            e.getMessage().contains("failed authentication"),
            "flip at " + position + ": " + e.getMessage());
      }
    }
  }

  @Test
  void noFlippedByteAnywhereInTheCopyOpensToOtherContent() throws Exception {
    // Given
    byte[] sealed = sealer.seal(CONTENT, ecAgency.parsed());
    // When / Then: every position either fails or (an unauthenticated version number, say) yields
    // the very same content
    for (int position = 0; position < sealed.length; position++) {
      byte[] tampered = sealed.clone();
      tampered[position] ^= 0x01;
      try {
        assertArrayEquals(CONTENT, open(tampered, ecAgency).content(), "flip at " + position);
      } catch (CryptoException expected) {
        // fails closed
      }
    }
  }

  @Test
  void copySignedByAnotherHubKeyFailsVerificationAgainstTheTrustedHubCertificate()
      throws Exception {
    // Given: another hub, with its own certificate
    byte[] fromOtherHub = new CopySealer(otherHub.signingKey()).seal(CONTENT, ecAgency.parsed());
    // Then
    CryptoException e = assertThrows(CryptoException.class, () -> open(fromOtherHub, ecAgency));
    assertTrue(e.getMessage().contains("other than the trusted hub certificate"), e.getMessage());

    // Given: another key that claims the trusted hub's certificate
    HubSigningKey impostor =
        new HubSigningKey(otherHub.signingKey().privateKey(), hub.signingCertificate());
    byte[] forged = new CopySealer(impostor).seal(CONTENT, ecAgency.parsed());
    // Then
    CryptoException forgery = assertThrows(CryptoException.class, () -> open(forged, ecAgency));
    assertTrue(forgery.getMessage().contains("does not verify"), forgery.getMessage());
  }

  @Test
  void sealingRefusesRevokedOrExpiredRecipientCertificates() throws Exception {
    assertThrows(CryptoException.class, () -> sealer.seal(CONTENT, ecAgency.parsed().revoke()));
    CopySealer later =
        new CopySealer(
            hub.signingKey(),
            Clock.fixed(ecAgency.parsed().notAfter().plusSeconds(1), ZoneOffset.UTC));
    CryptoException e =
        assertThrows(CryptoException.class, () -> later.seal(CONTENT, ecAgency.parsed()));
    assertTrue(e.getMessage().contains("not valid now"), e.getMessage());
  }

  @Test
  void somethingThatIsNotASealedCopyIsRejectedClearly() {
    CryptoException garbage =
        assertThrows(
            CryptoException.class,
            () -> open("not cms".getBytes(StandardCharsets.UTF_8), ecAgency));
    assertTrue(garbage.getMessage().startsWith("not a sealed copy"), garbage.getMessage());
  }

  @Test
  void sealerIsSafeForConcurrentUse() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> futures = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        TestCerts.Agency agency = i % 2 == 0 ? rsaAgency : ecAgency;
        byte[] content = ("copy " + i).getBytes(StandardCharsets.UTF_8);
        futures.add(
            pool.submit(
                () -> {
                  byte[] sealed = sealer.seal(content, agency.parsed());
                  byte[] opened = open(sealed, agency).content();
                  if (!java.util.Arrays.equals(content, opened)) {
                    fail("copy opened to other content");
                  }
                  return sealed;
                }));
      }
      for (Future<byte[]> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoSealsOfTheSameContentDiffer() throws Exception {
    assertNotEquals(
        java.util.Arrays.toString(sealer.seal(CONTENT, ecAgency.parsed())),
        java.util.Arrays.toString(sealer.seal(CONTENT, ecAgency.parsed())));
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
