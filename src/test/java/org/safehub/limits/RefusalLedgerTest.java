package org.safehub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditAction;
import org.safehub.testsupport.SettableClock;

class RefusalLedgerTest {

  private static final RefusalLedger.Kind DENIED =
      new RefusalLedger.Kind(AuditAction.AUTH_DENIED, "unauthenticated", 401);
  private static final RefusalLedger.Kind LIMITED =
      new RefusalLedger.Kind(AuditAction.REQUEST_REFUSED, "rate-limited", 429);

  @Test
  void pastTheThresholdPerCallerAndWindowOneAggregatedEventPerKindStandsForTheRest() {
    // Given 3 refusals per caller and minute audited one by one
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
    RefusalLedger ledger = new RefusalLedger(3, 1000, Duration.ofMinutes(1), 100, clock);
    // When one source is refused 1,000 times in a minute (401s, then 429s), and another once
    int oneByOne = 0;
    for (int i = 0; i < 1000; i++) {
      oneByOne += ledger.admit("source:10.0.0.1", i < 500 ? DENIED : LIMITED) ? 1 : 0;
    }
    assertTrue(ledger.admit("source:10.0.0.2", DENIED), "another source has its own threshold");
    // Then 3 were audited one by one, and nothing is aggregated before the window closes
    assertEquals(3, oneByOne);
    assertEquals(List.of(), ledger.drain(false));
    // and once it has closed, one event per kind counts the rest, handed out once
    clock.now = Instant.parse("2026-01-01T10:01:00Z");
    List<RefusalLedger.Aggregate> aggregates = ledger.drain(false);
    assertEquals(2, aggregates.size());
    assertEquals(497, aggregates.get(0).count());
    assertEquals(DENIED, aggregates.get(0).kind());
    assertEquals(500, aggregates.get(1).count());
    assertEquals(1, aggregates.get(1).callers());
    assertEquals(Instant.parse("2026-01-01T10:00:00Z"), aggregates.get(0).windowStart());
    assertEquals(List.of(), ledger.drain(false));
    // and in the new window the source is audited one by one again
    assertTrue(ledger.admit("source:10.0.0.1", DENIED));
  }

  @Test
  void manySourcesTogetherAreCappedByTheOverallThreshold() {
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
    RefusalLedger ledger = new RefusalLedger(100, 500, Duration.ofMinutes(1), 1_000, clock);
    int oneByOne = 0;
    for (int i = 0; i < 100_000; i++) {
      oneByOne += ledger.admit("source:10.1." + (i >> 8 & 255) + "." + (i & 255), DENIED) ? 1 : 0;
    }
    assertEquals(500, oneByOne);
    assertTrue(ledger.trackedCallers() <= 1_000, "callers tracked: " + ledger.trackedCallers());
    List<RefusalLedger.Aggregate> all = ledger.drain(true);
    assertEquals(1, all.size());
    assertEquals(99_500, all.get(0).count());
    assertFalse(all.get(0).callers() <= 0);
  }
}
