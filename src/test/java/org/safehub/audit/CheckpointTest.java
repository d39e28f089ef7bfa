package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  private static final KeyPair KEYS = AuditDatabase.p256();
  private static final byte[] ROOT = MerkleTree.root(List.of(MerkleTree.leafHash(new byte[] {1})));
  private static final Instant TIME = Instant.parse("2025-03-04T09:15:30.123456Z");

  @Test
  void signedTextIsPinned() {
    // When
    Checkpoint checkpoint = Checkpoint.sign(7, ROOT, TIME, KEYS);
    // Then
    assertEquals(
        "safehub-audit-checkpoint v1\n7\n"
            + Base64.getEncoder().encodeToString(ROOT)
            + "\n1741079730123\n",
        new String(checkpoint.signedText(), StandardCharsets.US_ASCII));
    assertEquals(Instant.parse("2025-03-04T09:15:30.123Z"), checkpoint.time());
    assertEquals(Checkpoint.keyId(KEYS.getPublic()), checkpoint.keyId());
    assertEquals(32, checkpoint.keyId().length());
  }

  @Test
  void verifiesWithTheHubKeyOnly() {
    Checkpoint checkpoint = Checkpoint.sign(7, ROOT, TIME, KEYS);
    assertTrue(checkpoint.verify(KEYS.getPublic()));
    assertFalse(checkpoint.verify(AuditDatabase.p256().getPublic()));
    assertFalse(checkpoint.verify(null));
  }

  @Test
  void anyChangeBreaksTheSignature() {
    Checkpoint c = Checkpoint.sign(7, ROOT, TIME, KEYS);
    byte[] otherRoot = ROOT.clone();
    otherRoot[0] ^= 1;
    byte[] otherSignature = c.signature();
    otherSignature[otherSignature.length - 1] ^= 1;
    assertFalse(
        new Checkpoint(8, c.rootHash(), c.time(), c.signature(), c.keyId())
            .verify(KEYS.getPublic()));
    assertFalse(
        new Checkpoint(7, otherRoot, c.time(), c.signature(), c.keyId()).verify(KEYS.getPublic()));
    assertFalse(
        new Checkpoint(7, c.rootHash(), c.time().plusMillis(1), c.signature(), c.keyId())
            .verify(KEYS.getPublic()));
    assertFalse(
        new Checkpoint(7, c.rootHash(), c.time(), otherSignature, c.keyId())
            .verify(KEYS.getPublic()));
    assertFalse(
        new Checkpoint(7, c.rootHash(), c.time(), c.signature(), "0".repeat(32))
            .verify(KEYS.getPublic()));
    assertFalse(
        new Checkpoint(7, c.rootHash(), c.time(), new byte[0], c.keyId()).verify(KEYS.getPublic()));
  }

  @Test
  void jsonRoundTripsAndStillVerifies() {
    Checkpoint checkpoint = Checkpoint.sign(1_000_000, ROOT, TIME, KEYS);
    Checkpoint back = Checkpoint.fromJson(checkpoint.toJson());
    assertEquals(checkpoint, back);
    assertTrue(back.verify(KEYS.getPublic()));
    assertTrue(
        checkpoint
            .toJson()
            .startsWith("{\"treeSize\":1000000,\"rootHash\":\"" + checkpoint.rootHex() + "\""));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.fromJson(checkpoint.toJson().replace("{", "{\"x\":1,")));
  }

  @Test
  void onlyAWorkingP256PairIsAccepted() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = ec.generateKeyPair();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair mismatched = new KeyPair(KEYS.getPublic(), AuditDatabase.p256().getPrivate());
    assertThrows(
        IllegalArgumentException.class, () -> Checkpoint.requireWorking(CheckpointSigner.of(p384)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.requireWorking(CheckpointSigner.of(rsa.generateKeyPair())));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.requireWorking(CheckpointSigner.of(mismatched)));
    CheckpointSigner good = CheckpointSigner.of(KEYS);
    assertEquals(good, Checkpoint.requireWorking(good));
  }

  @Test
  void aSignerThatKeepsItsPrivateKeySignsVerifiableCheckpoints() throws Exception {
    // Given a signer that exposes only sign(bytes) and its public key, as the hub's opaque signing
    // key does
    CheckpointSigner inMemory = CheckpointSigner.of(KEYS);
    CheckpointSigner opaque =
        new CheckpointSigner() {
          @Override
          public PublicKey publicKey() {
            return KEYS.getPublic();
          }

          @Override
          public byte[] sign(byte[] data) throws Exception {
            return inMemory.sign(data);
          }
        };
    // When
    Checkpoint checkpoint = Checkpoint.sign(3, ROOT, TIME, Checkpoint.requireWorking(opaque));
    // Then
    assertTrue(checkpoint.verify(KEYS.getPublic()));
  }

  @Test
  void keyIdIsTheSameForTheSameKeyWhateverItsEncodingProvider() throws Exception {
    PublicKey reparsed =
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(KEYS.getPublic().getEncoded()));
    PublicKey viaBouncyCastle =
        KeyFactory.getInstance("EC", new BouncyCastleProvider())
            .generatePublic(new X509EncodedKeySpec(KEYS.getPublic().getEncoded()));
    assertEquals(Checkpoint.keyId(KEYS.getPublic()), Checkpoint.keyId(reparsed));
    assertEquals(Checkpoint.keyId(KEYS.getPublic()), Checkpoint.keyId(viaBouncyCastle));
    assertTrue(Checkpoint.sign(3, ROOT, TIME, KEYS).verify(viaBouncyCastle));
  }

  @Test
  void publicKeyPemReadsBack() {
    String pem = AuditVerifier.toPem(KEYS.getPublic());
    assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"));
    assertEquals(KEYS.getPublic(), AuditVerifier.readPublicKeyPem(pem));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditVerifier.readPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n"));
  }
}
