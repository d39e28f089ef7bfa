package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  private static final Instant TIME = Instant.parse("2025-03-04T09:15:30.123456789Z");
  private static final UUID MESSAGE = UUID.fromString("0b5e7d0e-2b4f-4f57-9d47-4a4b8f4e9a01");

  /** The audit record's wire form, pinned: its bytes are what every leaf hash covers. */
  private static final String GOLDEN =
      "{\"seq\":42,\"time\":\"2025-03-04T09:15:30.123456Z\",\"action\":\"delivered\","
          + "\"actorAgency\":\"police-west\",\"actorClient\":\"police-west-case-system\","
          + "\"messageId\":\"0b5e7d0e-2b4f-4f57-9d47-4a4b8f4e9a01\",\"messageType\":\"referral\",\"caseRef\":\"MARAC-2025-0042\","
          + "\"recipient\":\"childrens-services-north\",\"legalBasis\":\"safeguarding-child\",\"reason\":\"redacted-for-recipient\","
          + "\"categories\":[\"victim-location\",\"health\"],\"justification\":\"Risk of serious harm to a child \\\"A\\\";\\nno time to seek consent.\","
          + "\"detail\":{\"copy\":\"2\",\"schemaVersion\":\"1\"}}";

  private static AuditEvent full() {
    return AuditEvent.builder(AuditAction.DELIVERED, TIME)
        .actor("police-west", "police-west-case-system")
        .message(MESSAGE, "referral", "MARAC-2025-0042")
        .recipient("childrens-services-north")
        .legalBasis(
            "safeguarding-child",
            "Risk of serious harm to a child \"A\";\nno time to seek consent.")
        .reason("redacted-for-recipient")
        .categories(List.of("victim-location", "health"))
        .detail("schemaVersion", "1")
        .detail("copy", "2")
        .build()
        .withSeq(42);
  }

  @Test
  void canonicalFormIsPinned() {
    assertEquals(GOLDEN, full().toJson());
    assertArrayEquals(GOLDEN.getBytes(StandardCharsets.UTF_8), full().canonicalBytes());
  }

  @Test
  void leafHashIsTheDomainSeparatedHashOfTheCanonicalBytes() throws Exception {
    // Given
    byte[] canonical = full().canonicalBytes();
    byte[] prefixed = new byte[canonical.length + 1];
    System.arraycopy(canonical, 0, prefixed, 1, canonical.length);
    // Then
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(prefixed), full().leafHash());
  }

  @Test
  void jsonRoundTripsExactly() {
    // Given
    AuditEvent minimal =
        AuditEvent.builder(AuditAction.AUTH_DENIED, TIME)
            .reason("token-expired")
            .build()
            .withSeq(0);
    AuditEvent unassigned =
        AuditEvent.builder(AuditAction.AGENCY_CHANGED, TIME).actor("hub", null).build();
    for (AuditEvent event : List.of(full(), minimal, unassigned)) {
      // When
      AuditEvent back = AuditEvent.fromJson(event.toJson());
      // Then
      assertEquals(event, back);
      assertEquals(event.toJson(), back.toJson());
    }
    assertEquals(
        "{\"seq\":0,\"time\":\"2025-03-04T09:15:30.123456Z\",\"action\":\"auth-denied\",\"reason\":\"token-expired\"}",
        minimal.toJson());
    assertFalse(unassigned.toJson().contains("seq"));
  }

  @Test
  void timeIsKeptToTheMicrosecondAsPostgresqlKeepsIt() {
    assertEquals(Instant.parse("2025-03-04T09:15:30.123456Z"), full().time());
  }

  @Test
  void detailIsWrittenInKeyOrderWhateverOrderItWasGivenIn() {
    AuditEvent a = full();
    AuditEvent b =
        new AuditEvent(
            42,
            TIME,
            a.action(),
            a.actorAgency(),
            a.actorClient(),
            a.messageId(),
            a.messageType(),
            a.caseRef(),
            a.recipient(),
            a.legalBasis(),
            a.reason(),
            a.categories(),
            a.justification(),
            Map.of("copy", "2", "schemaVersion", "1"));
    assertEquals(a, b);
    assertArrayEquals(a.canonicalBytes(), b.canonicalBytes());
  }

  @Test
  void strictReadingRefusesAnythingButTheRecord() {
    String good = full().toJson();
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.fromJson(good.replace("{\"seq\"", "{\"content\":\"x\",\"seq\"")),
        "unknown field");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.fromJson(good.replace("{\"seq\":42", "{\"seq\":42,\"seq\":43")),
        "duplicate field");
    assertThrows(
        IllegalArgumentException.class, () -> AuditEvent.fromJson(good + "{}"), "trailing text");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.fromJson(good.replace("\"seq\":42", "\"seq\":\"42\"")),
        "seq as text");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.fromJson(good.replace("\"delivered\"", "\"shredded\"")),
        "unknown action");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            AuditEvent.fromJson(
                good.replace(MESSAGE.toString(), MESSAGE.toString().toUpperCase(Locale.ROOT))),
        "non-canonical message id");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.fromJson(good.replace("\"copy\":\"2\"", "\"copy\":2")),
        "detail value not a string");
  }

  @Test
  void reasonsCategoriesAndDetailKeysAreCodesNotText() {
    AuditEvent.Builder b = AuditEvent.builder(AuditAction.WITHHELD, TIME);
    assertThrows(
        IllegalArgumentException.class, () -> b.reason("victim lives at 1 Example St").build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            AuditEvent.builder(AuditAction.DELIVERED, TIME)
                .categories(List.of("victim location"))
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.builder(AuditAction.DELIVERED, TIME).detail("free text", "x").build());
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.builder(AuditAction.ROUTED, TIME).recipient("a\nb").build(),
        "control character");
    char[] tooLong = new char[AuditEvent.MAX_TEXT + 1];
    Arrays.fill(tooLong, 'x');
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditEvent.builder(AuditAction.ROUTED, TIME).recipient(new String(tooLong)).build());
    assertThrows(
        IllegalStateException.class,
        () -> AuditEvent.builder(AuditAction.ROUTED, TIME).build().leafHash(),
        "no leaf hash before the log assigns a seq");
  }

  @Test
  void sharedWithoutConsentMeansDeliveredOnAnotherBasis() {
    assertTrue(full().sharedWithoutConsent());
    AuditEvent onConsent =
        AuditEvent.builder(AuditAction.DELIVERED, TIME).legalBasis("consent", null).build();
    assertFalse(onConsent.sharedWithoutConsent());
    assertFalse(
        AuditEvent.builder(AuditAction.ROUTED, TIME)
            .legalBasis("vital-interests", "x".repeat(30))
            .build()
            .sharedWithoutConsent());
  }

  @Test
  void everyActionHasAWireNameThatReadsBack() {
    for (AuditAction action : AuditAction.values()) {
      assertEquals(action, AuditAction.fromWire(action.wire()));
      assertTrue(action.wire().matches("[a-z]+(-[a-z]+)*"), action.wire());
    }
    assertThrows(IllegalArgumentException.class, () -> AuditAction.fromWire("PUBLISH_ACCEPTED"));
  }
}
