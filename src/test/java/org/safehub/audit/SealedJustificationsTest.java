package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The append's sealing of justifications, apart from its SQL: once per message, stored seals
 * reused, and every event of a message pointing at the one seal (the rows to store and the seals
 * the events carry are what {@link AuditAppender} sends in its second round trip).
 */
class SealedJustificationsTest {

  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  /** Seals by prefixing the message id, and counts its calls. */
  private static final class CountingSealer implements JustificationSealer {
    final List<UUID> sealed = new ArrayList<>();

    @Override
    public byte[] seal(UUID messageId, String justification) {
      sealed.add(messageId);
      return (messageId + ":" + justification).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String open(UUID messageId, byte[] sealed) {
      throw new UnsupportedOperationException();
    }
  }

  private static AuditEvent event(UUID message, String justification) {
    return AuditEvent.builder(AuditAction.DELIVERED, NOW)
        .message(message, "risk-disclosure", "CASE-1")
        .legalBasis("vital-interests", justification)
        .build();
  }

  @Test
  void eachMessagesJustificationIsSealedOnceAndEveryEventOfItCarriesThatSeal() {
    CountingSealer sealer = new CountingSealer();
    SealedJustifications s = new SealedJustifications(sealer, Clock.fixed(NOW, ZoneOffset.UTC));
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    List<AuditEvent> events =
        List.of(event(a, "first reason"), event(a, "first reason"), event(b, "second reason"));

    Map<UUID, String> texts = SealedJustifications.texts(events);
    SealedJustifications.Sealed sealed = s.seal(texts, Map.of());
    List<AuditEvent> out = SealedJustifications.withSeals(events, sealed.seals());

    assertEquals(List.of(a, b), sealer.sealed);
    assertEquals(
        List.of(a, b), sealed.rows().stream().map(SealedJustifications.Row::messageId).toList());
    out.forEach(e -> assertNull(e.justification()));
    String first = out.get(0).detail().get(AuditLog.JUSTIFICATION_SEAL);
    assertEquals(64, first.length());
    assertEquals(first, out.get(1).detail().get(AuditLog.JUSTIFICATION_SEAL));
    assertNotEquals(first, out.get(2).detail().get(AuditLog.JUSTIFICATION_SEAL));
  }

  @Test
  void aMessageWhoseSealIsStoredIsNotSealedAgainAndItsEventsPointAtTheStoredSeal() {
    CountingSealer sealer = new CountingSealer();
    SealedJustifications s = new SealedJustifications(sealer, Clock.fixed(NOW, ZoneOffset.UTC));
    UUID a = UUID.randomUUID();
    String storedSeal = "ab".repeat(32);

    SealedJustifications.Sealed sealed =
        s.seal(SealedJustifications.texts(List.of(event(a, "a reason"))), Map.of(a, storedSeal));
    List<AuditEvent> out =
        SealedJustifications.withSeals(List.of(event(a, "a reason")), sealed.seals());

    assertTrue(sealer.sealed.isEmpty());
    assertTrue(sealed.rows().isEmpty());
    assertEquals(storedSeal, out.get(0).detail().get(AuditLog.JUSTIFICATION_SEAL));
  }

  @Test
  void eventsWithoutAJustificationNeedNoSealAndAJustificationWithoutAMessageIsRefused() {
    AuditEvent plain = AuditEvent.builder(AuditAction.DELIVERED, NOW).build();
    assertTrue(SealedJustifications.texts(List.of(plain)).isEmpty());
    assertSame(plain, SealedJustifications.withSeals(List.of(plain), Map.of()).get(0));

    AuditEvent orphan =
        AuditEvent.builder(AuditAction.DELIVERED, NOW).legalBasis("vital-interests", "x").build();
    assertThrows(IllegalArgumentException.class, () -> SealedJustifications.texts(List.of(orphan)));
  }
}
