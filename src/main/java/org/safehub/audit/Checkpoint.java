package org.safehub.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * The hub's signed statement that the log held {@code treeSize} events whose Merkle root was {@code
 * rootHash} at {@code time}. The signature is ECDSA P-256 with SHA-256 (DER) over {@link
 * #signedText()}:
 *
 * <pre>
 * safehub-audit-checkpoint v1\n&lt;treeSize&gt;\n&lt;standard base64 of rootHash&gt;\n&lt;time as epoch milliseconds&gt;\n
 * </pre>
 *
 * In JSON: {@code {"treeSize":n,"rootHash":"<hex>","time":"<ISO-8601>","signature":"<base64
 * DER>","keyId":"<hex>"}}. {@code keyId} names the signing key (see {@link #keyId(PublicKey)}) and
 * is not itself signed.
 */
public record Checkpoint(
    long treeSize, byte[] rootHash, Instant time, byte[] signature, String keyId) {

  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final String HEADER = "safehub-audit-checkpoint v1";
  private static final Set<String> FIELDS =
      Set.of("treeSize", "rootHash", "time", "signature", "keyId");

  public Checkpoint {
    if (treeSize < 0) {
      throw new IllegalArgumentException("treeSize must be 0 or more");
    }
    Objects.requireNonNull(rootHash, "rootHash");
    if (rootHash.length != MerkleTree.HASH_LENGTH) {
      throw new IllegalArgumentException("rootHash must be " + MerkleTree.HASH_LENGTH + " bytes");
    }
    rootHash = rootHash.clone();
    time = Objects.requireNonNull(time, "time").truncatedTo(ChronoUnit.MILLIS);
    signature = Objects.requireNonNull(signature, "signature").clone();
    Objects.requireNonNull(keyId, "keyId");
  }

  /**
   * Signs a checkpoint of the first {@code treeSize} events, whose root is {@code rootHash}, with
   * the hub's key.
   */
  public static Checkpoint sign(long treeSize, byte[] rootHash, Instant time, KeyPair keys) {
    return sign(treeSize, rootHash, time, CheckpointSigner.of(keys));
  }

  /**
   * As {@link #sign(long, byte[], Instant, KeyPair)}, through a signer that keeps the private key
   * to itself.
   */
  public static Checkpoint sign(
      long treeSize, byte[] rootHash, Instant time, CheckpointSigner signer) {
    Instant millis = time.truncatedTo(ChronoUnit.MILLIS);
    byte[] text = signedText(treeSize, rootHash, millis);
    byte[] signature;
    try {
      signature = signer.sign(text);
    } catch (Exception e) {
      throw new IllegalStateException("could not sign an audit checkpoint", e);
    }
    return new Checkpoint(treeSize, rootHash, millis, signature, keyId(signer.publicKey()));
  }

  /**
   * Whether {@code key} signed this checkpoint (and is the key {@code keyId} names); any error is a
   * no.
   */
  public boolean verify(PublicKey key) {
    if (!isP256(key) || !keyId.equals(keyId(key))) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(key);
      verifier.update(signedText());
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The exact bytes the signature covers. */
  public byte[] signedText() {
    return signedText(treeSize, rootHash, time);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public String rootHex() {
    return HexFormat.of().formatHex(rootHash);
  }

  /**
   * Lower-case hex of the first 16 bytes of SHA-256 over the key's uncompressed point (0x04 || X ||
   * Y, 32 bytes each): the same whichever provider encoded the key.
   */
  public static String keyId(PublicKey key) {
    if (!isP256(key)) {
      throw new IllegalArgumentException("the audit key must be ECDSA P-256");
    }
    ECPoint w = ((ECPublicKey) key).getW();
    byte[] point = new byte[65];
    point[0] = 0x04;
    fixed32(w.getAffineX(), point, 1);
    fixed32(w.getAffineY(), point, 33);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(point), 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static void fixed32(BigInteger value, byte[] into, int offset) {
    byte[] bytes = value.toByteArray();
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, into, offset + 32 - length, length);
  }

  /**
   * Fails unless {@code signer} has a P-256 public key and signs what that key verifies: checked at
   * start-up.
   */
  static CheckpointSigner requireWorking(CheckpointSigner signer) {
    Objects.requireNonNull(signer, "audit checkpoint signer");
    if (!isP256(signer.publicKey())) {
      throw new IllegalArgumentException("the audit signing key must be ECDSA P-256");
    }
    try {
      byte[] probe = "safehub-audit-key-probe".getBytes(StandardCharsets.US_ASCII);
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(signer.publicKey());
      verifier.update(probe);
      if (!verifier.verify(signer.sign(probe))) {
        throw new IllegalArgumentException(
            "the audit signer's signatures do not verify with its public key");
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "the audit signer cannot sign with " + SIGNATURE_ALGORITHM, e);
    }
    return signer;
  }

  static boolean isP256(PublicKey key) {
    return key instanceof ECPublicKey ec
        && ec.getParams().getCurve().getField().getFieldSize() == 256;
  }

  public String toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = AuditEvent.JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      writeFields(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a checkpoint", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  void writeFields(JsonGenerator g) throws IOException {
    g.writeNumberField("treeSize", treeSize);
    g.writeStringField("rootHash", rootHex());
    g.writeStringField("time", time.toString());
    g.writeStringField("signature", Base64.getEncoder().encodeToString(signature));
    g.writeStringField("keyId", keyId);
  }

  public static Checkpoint fromJson(String json) {
    try {
      return fromJson(AuditEvent.MAPPER.readTree(json), Set.of());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a checkpoint: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads a checkpoint strictly, tolerating only the {@code extraFields} a container adds (such as
   * a type).
   */
  static Checkpoint fromJson(JsonNode node, Set<String> extraFields) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("a checkpoint is a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name) && !extraFields.contains(name)) {
        throw new IllegalArgumentException("unknown checkpoint field: " + name);
      }
    }
    JsonNode size = node.get("treeSize");
    if (size == null || !size.isIntegralNumber() || !size.canConvertToLong()) {
      throw new IllegalArgumentException("treeSize must be a whole number");
    }
    try {
      return new Checkpoint(
          size.longValue(),
          HexFormat.of().parseHex(text(node, "rootHash")),
          Instant.parse(text(node, "time")),
          Base64.getDecoder().decode(text(node, "signature")),
          text(node, "keyId"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("checkpoint time is not an ISO-8601 instant", e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("checkpoint " + field + " must be a string");
    }
    return value.textValue();
  }

  private static byte[] signedText(long treeSize, byte[] rootHash, Instant time) {
    String text =
        HEADER
            + "\n"
            + treeSize
            + "\n"
            + Base64.getEncoder().encodeToString(rootHash)
            + "\n"
            + time.toEpochMilli()
            + "\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && treeSize == c.treeSize
        && Arrays.equals(rootHash, c.rootHash)
        && time.equals(c.time)
        && Arrays.equals(signature, c.signature)
        && keyId.equals(c.keyId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        treeSize, Arrays.hashCode(rootHash), time, Arrays.hashCode(signature), keyId);
  }

  @Override
  public String toString() {
    return "Checkpoint[treeSize="
        + treeSize
        + ", root="
        + rootHex()
        + ", time="
        + time
        + ", keyId="
        + keyId
        + "]";
  }
}
