package org.safehub.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  private final StrictJson json = new StrictJson(64, 1000, 40, 262144, 4096);

  private ValidationResult.Invalid refused(byte[] body) {
    StrictJson.Parsed p = json.parse(body);
    return assertInstanceOf(StrictJson.Parsed.Failed.class, p).invalid();
  }

  private ValidationResult.Invalid refused(String body) {
    return refused(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void duplicateKeysAreRefusedNotSilentlyMerged() {
    ValidationResult.Invalid inv = refused("{\"a\":1,\"a\":2}");
    assertEquals(ValidationResult.ProblemKind.MALFORMED_JSON, inv.kind());
    assertEquals("duplicate-key", inv.violations().get(0).keyword());
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() {
    String deep = "[".repeat(65) + "]".repeat(65);
    assertEquals(ValidationResult.ProblemKind.LIMIT_EXCEEDED, refused(deep).kind());
    String ok = "[".repeat(64) + "]".repeat(64);
    assertInstanceOf(StrictJson.Parsed.Ok.class, json.parse(ok.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void overlongStringsAndNumbersAreRefused() {
    assertEquals(
        ValidationResult.ProblemKind.LIMIT_EXCEEDED,
        refused("{\"a\":\"" + "x".repeat(1001) + "\"}").kind());
    assertEquals(
        ValidationResult.ProblemKind.LIMIT_EXCEEDED,
        refused("{\"a\":" + "9".repeat(41) + "}").kind());
  }

  @Test
  void aDocumentOfMoreTokensThanTheCapIsRefusedAsALimit() {
    StringBuilder many = new StringBuilder("{\"a\":[0");
    // the object, its name, the array and its brackets: 5 tokens beside the zeros
    for (int i = 1; i < 4091; i++) {
      many.append(",0");
    }
    assertInstanceOf(
        StrictJson.Parsed.Ok.class,
        json.parse((many + "]}").getBytes(StandardCharsets.UTF_8)),
        "4,096 tokens: at the cap");
    ValidationResult.Invalid inv = refused(many + ",0]}");
    assertEquals(ValidationResult.ProblemKind.LIMIT_EXCEEDED, inv.kind());
    assertEquals("The document holds more values than allowed.", inv.violations().get(0).message());
  }

  @Test
  void brokenUtf8IsRefusedWithoutEchoingTheBytes() {
    byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    ValidationResult.Invalid inv = refused(body);
    assertEquals(ValidationResult.ProblemKind.MALFORMED_JSON, inv.kind());
  }

  @Test
  void trailingContentAndEmptyBodiesAreRefused() {
    assertEquals(ValidationResult.ProblemKind.MALFORMED_JSON, refused("{} {}").kind());
    assertEquals(ValidationResult.ProblemKind.MALFORMED_JSON, refused("").kind());
    assertEquals(ValidationResult.ProblemKind.MALFORMED_JSON, refused("{\"a\":").kind());
  }

  @Test
  void syntaxErrorMessagesGivePositionButNeverContent() {
    ValidationResult.Invalid inv = refused("{\"secretName\": Victim-Address}");
    String message = inv.violations().get(0).message();
    assertTrue(message.contains("line 1"), message);
    assertFalse(message.contains("Victim"), message);
  }
}
