package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports from a real log, tampered with in each way the verifier must name. */
class AuditVerifierIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static KeyPair keys;
  private static AuditLog log;

  /** The export of seqs 0..199 with checkpoints at 50, 120 and 200. */
  private static List<String> export;

  @BeforeAll
  static void exportALogOfTwoHundredEvents() throws IOException {
    keys = AuditDatabase.p256();
    log =
        new AuditLog(
            AuditDatabase.fresh(), keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    log.append(AuditLogIT.events(0, 50));
    log.checkpointNow();
    log.append(AuditLogIT.events(50, 120));
    log.checkpointNow();
    log.append(AuditLogIT.events(120, 200));
    export = export(0, 199);
  }

  @Test
  void anUntouchedExportVerifies() {
    // When
    AuditVerifier.Result result = verify(export);
    // Then
    AuditVerifier.Verified verified = assertInstanceOf(AuditVerifier.Verified.class, result);
    assertEquals(200, verified.events());
    assertEquals(3, verified.checkpoints(), "50, 120 and the one export signed to cover 199");
    assertEquals(
        "verified: 200 events, 3 checkpoints, root " + HexFormat.of().formatHex(log.root(200)),
        result.summary());
  }

  @Test
  void exportHasTheDocumentedShape() throws IOException {
    assertEquals(
        "{\"type\":\"header\",\"format\":\"safehub-audit-export/1\",\"fromSeq\":0,\"toSeq\":199,"
            + "\"treeSize\":200,\"keyId\":\""
            + Checkpoint.keyId(keys.getPublic())
            + "\"}",
        export.get(0));
    assertEquals(
        List.of(50L, 120L, 200L),
        List.of(1, 2, 3).stream()
            .map(i -> readTree(export.get(i)).get("treeSize").asLong())
            .toList());
    assertEquals(1 + 3 + 200, export.size());
    ObjectNode line = readTree(export.get(4 + 17));
    assertEquals("event", line.get("type").asText());
    assertEquals(17, line.get("seq").asLong());
    AuditEvent event = AuditEvent.fromJson(line.get("event").toString());
    assertEquals(HexFormat.of().formatHex(event.leafHash()), line.get("leafHash").asText());
  }

  @Test
  void aRangeNotStartingAtZeroVerifiesWithHashOnlyLinesAroundIt() throws IOException {
    // When
    List<String> middle = export(60, 99);
    // Then
    AuditVerifier.Verified verified =
        assertInstanceOf(AuditVerifier.Verified.class, verify(middle));
    assertEquals(40, verified.events());
    assertEquals(120, verified.entries(), "hashes up to the checkpoint that covers seq 99");
    assertEquals(2, verified.checkpoints());
    assertTrue(
        middle.get(3).contains("\"type\":\"leaf\"") && !middle.get(3).contains("\"event\""),
        middle.get(3));
  }

  @Test
  void alteredEventIsNamedAtItsSeq() throws IOException {
    // Given one event's recipient changed, its line's leaf hash left as it was
    List<String> tampered = new ArrayList<>(export);
    ObjectNode line = readTree(tampered.get(lineOf(77)));
    ((ObjectNode) line.get("event")).put("recipient", "someone-else");
    tampered.set(lineOf(77), line.toString());
    // Then
    assertFailed(tampered, AuditVerifier.Kind.ALTERED, 77L);
  }

  @Test
  void alteredEventWithARecomputedLeafHashBreaksTheSignedRoot() throws IOException {
    // Given the forger also recomputes the line's leaf hash
    List<String> tampered = new ArrayList<>(export);
    ObjectNode line = readTree(tampered.get(lineOf(77)));
    ((ObjectNode) line.get("event")).put("legalBasis", "consent");
    line.put(
        "leafHash",
        HexFormat.of().formatHex(AuditEvent.fromJson(line.get("event").toString()).leafHash()));
    tampered.set(lineOf(77), line.toString());
    // Then the checkpoint covering it no longer matches: altered, in 50..119
    AuditVerifier.Failed failed = assertFailed(tampered, AuditVerifier.Kind.ALTERED, null);
    assertTrue(failed.detail().contains("seqs 50..119"), failed.detail());
  }

  @Test
  void addedContentFieldIsAnAlteration() throws IOException {
    List<String> tampered = new ArrayList<>(export);
    ObjectNode line = readTree(tampered.get(lineOf(5)));
    ((ObjectNode) line.get("event")).put("note", "victim now at 1 Example St");
    tampered.set(lineOf(5), line.toString());
    assertFailed(tampered, AuditVerifier.Kind.ALTERED, 5L);
  }

  @Test
  void deletedLineIsMissing() {
    List<String> tampered = new ArrayList<>(export);
    tampered.remove(lineOf(133));
    assertFailed(tampered, AuditVerifier.Kind.MISSING, 133L);
  }

  @Test
  void deletedLastLineIsMissing() {
    List<String> tampered = new ArrayList<>(export);
    tampered.remove(lineOf(199));
    assertFailed(tampered, AuditVerifier.Kind.MISSING, 199L);
  }

  @Test
  void swappedLinesAreReordered() {
    List<String> tampered = new ArrayList<>(export);
    String a = tampered.get(lineOf(40));
    tampered.set(lineOf(40), tampered.get(lineOf(41)));
    tampered.set(lineOf(41), a);
    AuditVerifier.Failed failed = assertFailed(tampered, AuditVerifier.Kind.REORDERED, 40L);
    assertTrue(failed.detail().contains("after seq 41"), failed.detail());
  }

  @Test
  void forgedLineWithAnExistingSeqIsInserted() throws IOException {
    // Given a forged event claiming seq 90, with a self-consistent leaf hash, placed after the real
    // one
    List<String> tampered = new ArrayList<>(export);
    tampered.add(lineOf(90) + 1, forgedLine(90));
    // Then
    assertFailed(tampered, AuditVerifier.Kind.INSERTED, 90L);
  }

  @Test
  void forgedLineAfterTheLastCheckpointIsInserted() throws IOException {
    List<String> tampered = new ArrayList<>(export);
    tampered.add(forgedLine(200));
    AuditVerifier.Failed failed = assertFailed(tampered, AuditVerifier.Kind.INSERTED, 200L);
    assertTrue(failed.detail().contains("beyond every signed checkpoint"), failed.detail());
  }

  @Test
  void changedCheckpointSignatureByteIsABadSignature() throws IOException {
    // Given
    List<String> tampered = new ArrayList<>(export);
    ObjectNode checkpoint = readTree(tampered.get(2));
    byte[] signature = Base64.getDecoder().decode(checkpoint.get("signature").asText());
    signature[signature.length / 2] ^= 0x01;
    checkpoint.put("signature", Base64.getEncoder().encodeToString(signature));
    tampered.set(2, checkpoint.toString());
    // Then
    AuditVerifier.Failed failed =
        assertFailed(tampered, AuditVerifier.Kind.BAD_CHECKPOINT_SIGNATURE, null);
    assertTrue(failed.detail().contains("tree size 120"), failed.detail());
  }

  @Test
  void checkpointRootChangedIsABadSignature() throws IOException {
    List<String> tampered = new ArrayList<>(export);
    ObjectNode checkpoint = readTree(tampered.get(3));
    checkpoint.put("rootHash", HexFormat.of().formatHex(log.root(199)));
    tampered.set(3, checkpoint.toString());
    assertFailed(tampered, AuditVerifier.Kind.BAD_CHECKPOINT_SIGNATURE, null);
  }

  @Test
  void anotherKeyMakesEveryCheckpointABadSignature() {
    AuditVerifier.Result result = verify(export, AuditDatabase.p256());
    assertEquals(
        AuditVerifier.Kind.BAD_CHECKPOINT_SIGNATURE,
        assertInstanceOf(AuditVerifier.Failed.class, result).kind());
  }

  @Test
  void truncatedAtACheckpointStillNeedsEveryEventItSigned() {
    // Given the last checkpoint and the events it alone covers are cut off, and the header shrunk
    // to match
    List<String> tampered = new ArrayList<>(export.subList(0, lineOf(120)));
    tampered.remove(3);
    tampered.set(0, tampered.get(0).replace("\"toSeq\":199", "\"toSeq\":119"));
    // Then a shorter log does verify (an export is not signed as a whole) but says how many events
    // it holds
    assertEquals(
        "verified: 120 events, 2 checkpoints, root " + HexFormat.of().formatHex(log.root(120)),
        verify(tampered).summary());
    // And without shrinking the header it is missing events
    List<String> unshrunk = new ArrayList<>(export.subList(0, lineOf(120)));
    unshrunk.remove(3);
    assertFailed(unshrunk, AuditVerifier.Kind.MISSING, 120L);
  }

  @Test
  void garbageIsMalformed() {
    List<String> tampered = new ArrayList<>(export);
    tampered.set(lineOf(10), "{not json");
    assertFailed(tampered, AuditVerifier.Kind.MALFORMED, null);
    assertFailed(List.of(), AuditVerifier.Kind.MALFORMED, null);
  }

  @Test
  void commandPrintsVerifiedOrTheFirstProblemAndExitsAccordingly(@TempDir Path dir)
      throws IOException {
    // Given
    Path good = Files.write(dir.resolve("audit.jsonl"), export, StandardCharsets.UTF_8);
    List<String> tampered = new ArrayList<>(export);
    tampered.remove(lineOf(12));
    Path bad = Files.write(dir.resolve("tampered.jsonl"), tampered, StandardCharsets.UTF_8);
    Path pem =
        Files.writeString(dir.resolve("audit-public.pem"), AuditVerifier.toPem(keys.getPublic()));
    // When / Then
    assertEquals(
        "0 verified: 200 events, 3 checkpoints, root " + HexFormat.of().formatHex(log.root(200)),
        run("--export", good.toString(), "--public-key", pem.toString()));
    assertEquals(
        "1 missing at seq 12: seq 12 is missing (between seq 11 and seq 13)",
        run("--export", bad.toString(), "--public-key", pem.toString()));
    assertTrue(run("--export", good.toString()).startsWith("2 "), "usage");
  }

  // --- helpers

  private static List<String> export(long from, long to) throws IOException {
    StringWriter out = new StringWriter();
    log.export(from, to, out);
    return out.toString().lines().toList();
  }

  private static int lineOf(long seq) {
    for (int i = 0; i < export.size(); i++) {
      if (export.get(i).contains("\"seq\":" + seq + ",")) {
        return i;
      }
    }
    throw new AssertionError("no line for seq " + seq);
  }

  private static String forgedLine(long seq) throws IOException {
    AuditEvent forged =
        AuditEvent.builder(AuditAction.DELIVERED, AuditLogIT.START)
            .actor("police-west", "police-west-client")
            .recipient("probation-east")
            .legalBasis("consent", null)
            .build()
            .withSeq(seq);
    ObjectNode line = JSON.createObjectNode();
    line.put("type", "event");
    line.put("seq", seq);
    line.put("leafHash", HexFormat.of().formatHex(forged.leafHash()));
    line.set("event", JSON.readTree(forged.toJson()));
    return line.toString();
  }

  private static ObjectNode readTree(String line) {
    try {
      return (ObjectNode) JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static AuditVerifier.Result verify(List<String> lines) {
    return verify(lines, keys);
  }

  private static AuditVerifier.Result verify(List<String> lines, KeyPair with) {
    try {
      return AuditVerifier.verify(
          new StringReader(String.join("\n", lines) + "\n"), with.getPublic());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static AuditVerifier.Failed assertFailed(
      List<String> lines, AuditVerifier.Kind kind, Long seq) {
    AuditVerifier.Result result = verify(lines);
    AuditVerifier.Failed failed =
        assertInstanceOf(AuditVerifier.Failed.class, result, result.summary());
    assertEquals(kind, failed.kind(), failed.summary());
    if (seq == null) {
      assertNull(failed.seq(), failed.summary());
    } else {
      assertEquals(seq, failed.seq(), failed.summary());
    }
    return failed;
  }

  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        AuditVerifier.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return code
        + " "
        + (out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).strip();
  }
}
