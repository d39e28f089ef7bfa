package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubKeysTest {
  static final char[] PASSWORD = "correct horse".toCharArray();
  @TempDir Path dir;

  @Test
  void theAuditKeyPersistsAndDestroyingItMakesEarlierJustificationsUnreadable() throws Exception {
    // Given a key store and a justification sealed under its audit key
    Path store = dir.resolve("hub.p12");
    HubKeys first = HubKeys.loadOrCreate(store, PASSWORD);
    java.util.UUID message = java.util.UUID.randomUUID();
    byte[] sealed =
        new SealedJustifications(first.auditKey())
            .seal(message, "Serious risk; the children are at the address.");
    // When the store is loaded again, the same key opens it (and not for another message)
    HubKeys again = HubKeys.loadOrCreate(store, PASSWORD);
    assertEquals(
        "Serious risk; the children are at the address.",
        new SealedJustifications(again.auditKey()).open(message, sealed));
    assertThrows(
        IllegalStateException.class,
        () -> new SealedJustifications(again.auditKey()).open(java.util.UUID.randomUUID(), sealed));
    // When the audit key entry is destroyed for retention
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    ks.deleteEntry(HubKeys.AUDIT_ALIAS);
    try (var out = Files.newOutputStream(store)) {
      ks.store(out, PASSWORD);
    }
    HubKeys after = HubKeys.loadOrCreate(store, PASSWORD);
    // Then the hub starts with a new audit key, which cannot open what the old one sealed, and
    // keeps it
    assertThrows(
        IllegalStateException.class,
        () -> new SealedJustifications(after.auditKey()).open(message, sealed));
    byte[] fresh = new SealedJustifications(after.auditKey()).seal(message, "later");
    assertEquals(
        "later",
        new SealedJustifications(HubKeys.loadOrCreate(store, PASSWORD).auditKey())
            .open(message, fresh));
  }

  @Test
  void loadOrCreateTwiceGivesTheSameCertificateAndKeyEncryptionKey() throws Exception {
    // Given
    Path store = dir.resolve("keys/hub.p12");
    HubKeys first = HubKeys.loadOrCreate(store, PASSWORD);
    byte[] sealed =
        new AtRestSealer(first.keyEncryptionKey(), AtRestSealer.DekPolicy.DEFAULT)
            .seal("x".getBytes(StandardCharsets.UTF_8), new byte[0]);
    // When
    HubKeys second = HubKeys.loadOrCreate(store, PASSWORD);
    // Then
    assertTrue(first.created());
    assertFalse(second.created());
    assertEquals(first.signingCertificate(), second.signingCertificate());
    assertEquals(first.signingCertificatePem(), second.signingCertificatePem());
    assertArrayEquals(
        "x".getBytes(StandardCharsets.UTF_8),
        new AtRestSealer(second.keyEncryptionKey(), AtRestSealer.DekPolicy.DEFAULT)
            .open(sealed, new byte[0]));
  }

  @Test
  void keyStoreFileIsReadableByItsOwnerOnly() throws Exception {
    Path store = dir.resolve("hub.p12");
    HubKeys.loadOrCreate(store, PASSWORD);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
  }

  @Test
  void signingCertificateIsASelfSignedTwoYearP256DigitalSignatureCertificateForSafehubHub()
      throws Exception {
    // When
    X509Certificate cert =
        HubKeys.loadOrCreate(dir.resolve("hub.p12"), PASSWORD).signingCertificate();
    // Then
    assertEquals("CN=Safehub hub", cert.getSubjectX500Principal().getName());
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    cert.verify(cert.getPublicKey());
    assertTrue(
        cert.getPublicKey() instanceof ECPublicKey ec
            && ec.getParams().getCurve().getField().getFieldSize() == 256);
    assertTrue(cert.getKeyUsage()[0], "digitalSignature");
    assertTrue(cert.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    long days =
        Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
    assertTrue(days >= 730 && days <= 732, "about two years: " + days);
    assertTrue(new X509CertificateHolder(cert.getEncoded()).isValidOn(Date.from(Instant.now())));
  }

  @Test
  void signingKeyIsABouncyCastleKeyAndItsSignaturesVerifyWithThePublishedKey() throws Exception {
    // Given
    HubKeys keys = HubKeys.loadOrCreate(dir.resolve("hub.p12"), PASSWORD);
    HubKeys reloaded = HubKeys.loadOrCreate(dir.resolve("hub.p12"), PASSWORD);
    byte[] data = "audit checkpoint 42".getBytes(StandardCharsets.UTF_8);
    // When
    byte[] signature = reloaded.signingKey().sign(data);
    // Then
    assertTrue(
        reloaded.signingKey().privateKey().getClass().getName().startsWith("org.bouncycastle."));
    String pem = keys.verificationKeyPem();
    assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----"));
    byte[] der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PublicKey published = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(published);
    verifier.update(data);
    assertTrue(verifier.verify(signature));
    assertFalse(reloaded.signingKey().toString().contains("PRIVATE"));
  }

  @Test
  void wrongPasswordIsRefused() throws Exception {
    Path store = dir.resolve("hub.p12");
    HubKeys.loadOrCreate(store, PASSWORD);
    CryptoException e =
        assertThrows(
            CryptoException.class, () -> HubKeys.loadOrCreate(store, "wrong".toCharArray()));
    assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
  }

  @Test
  void emptyPasswordIsRefused() {
    assertThrows(
        CryptoException.class, () -> HubKeys.loadOrCreate(dir.resolve("hub.p12"), new char[0]));
  }

  @Test
  void corruptFileIsRefusedAndNotReplaced() throws Exception {
    Path store = dir.resolve("hub.p12");
    Files.writeString(store, "not a key store");
    assertThrows(CryptoException.class, () -> HubKeys.loadOrCreate(store, PASSWORD));
    assertEquals("not a key store", Files.readString(store));
  }

  @Test
  void keyStoreWithoutTheKeyEncryptionKeyIsRefused() throws Exception {
    // Given: a store that holds only the signing entry
    HubKeys keys = HubKeys.loadOrCreate(dir.resolve("full.p12"), PASSWORD);
    KeyStore partial = KeyStore.getInstance("PKCS12");
    partial.load(null, null);
    partial.setEntry(
        HubKeys.SIGNING_ALIAS,
        new KeyStore.PrivateKeyEntry(
            keys.signingKey().privateKey(), new Certificate[] {keys.signingCertificate()}),
        new KeyStore.PasswordProtection(PASSWORD));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    partial.store(out, PASSWORD);
    Path store = dir.resolve("partial.p12");
    Files.write(store, out.toByteArray());
    // When / Then
    CryptoException e =
        assertThrows(CryptoException.class, () -> HubKeys.loadOrCreate(store, PASSWORD));
    assertTrue(e.getMessage().contains(HubKeys.KEK_ALIAS), e.getMessage());
  }

  @Test
  void expiredHubCertificateStopsStartUp() throws Exception {
    Path store = dir.resolve("hub.p12");
    HubKeys.loadOrCreate(store, PASSWORD);
    java.time.Clock later =
        java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.of(800, ChronoUnit.DAYS));
    CryptoException e =
        assertThrows(CryptoException.class, () -> HubKeys.loadOrCreate(store, PASSWORD, later));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }
}
