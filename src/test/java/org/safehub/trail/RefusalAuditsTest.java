package org.safehub.trail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;

class RefusalAuditsTest {

  private static AuditEvent refusal(int i) {
    return AuditEvent.builder(AuditAction.AUTH_DENIED, Instant.EPOCH.plusSeconds(i))
        .reason("unauthenticated")
        .build();
  }

  /** A writer that records each batch, first waiting until {@code open} is counted down. */
  private static Consumer<List<AuditEvent>> recording(
      List<List<AuditEvent>> batches, CountDownLatch open) {
    return batch -> {
      try {
        open.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batches.add(List.copyOf(batch));
    };
  }

  @Test
  void aBurstOfRefusalsIsWrittenInFewBatchesInOrderNoneLost() throws Exception {
    // Given a writer held back while a burst of 1,200 refusals is queued
    List<List<AuditEvent>> batches = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch open = new CountDownLatch(1);
    RefusalAudits audits = new RefusalAudits(recording(batches, open), 10_000);
    List<AuditEvent> sent = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      AuditEvent e = refusal(i);
      sent.add(e);
      assertTrue(audits.offer(e));
    }
    // When the writer can write
    open.countDown();
    audits.stop(Duration.ofSeconds(10));
    // Then every event was written once, in order, in batches of at most 500: the first batch
    // may be the first event alone (taken before the rest were queued), then at most 500 each
    List<AuditEvent> written = new ArrayList<>();
    batches.forEach(written::addAll);
    assertEquals(sent, written);
    assertTrue(batches.stream().allMatch(b -> b.size() <= RefusalAudits.BATCH), "batch sizes");
    assertTrue(batches.size() <= 4, "1,200 events in " + batches.size() + " batches");
    assertEquals(0, audits.lost());
  }

  @Test
  void aBatchThatFailsIsTriedAgainThenTheNextIsStillWritten() throws Exception {
    // Given a writer whose first two attempts fail
    AtomicInteger attempts = new AtomicInteger();
    List<AuditEvent> written = Collections.synchronizedList(new ArrayList<>());
    RefusalAudits audits =
        new RefusalAudits(
            batch -> {
              if (attempts.incrementAndGet() <= 2) {
                throw new IllegalStateException("no connection");
              }
              written.addAll(batch);
            },
            100);
    // When one refusal is queued, and another once the writer is past its failures
    audits.offer(refusal(1));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !written.isEmpty());
    audits.offer(refusal(2));
    audits.stop(Duration.ofSeconds(10));
    // Then the first was written on its third attempt, and the second after it
    assertEquals(List.of(refusal(1), refusal(2)), written);
    assertEquals(4, attempts.get());
  }

  @Test
  void aBatchThatKeepsFailingIsGivenUpAfterItsAttemptsAndTheWriterGoesOn() throws Exception {
    // Given a writer that fails every batch holding refusal 1
    AtomicInteger attempts = new AtomicInteger();
    List<AuditEvent> written = Collections.synchronizedList(new ArrayList<>());
    RefusalAudits audits =
        new RefusalAudits(
            batch -> {
              if (batch.contains(refusal(1))) {
                attempts.incrementAndGet();
                throw new IllegalStateException("no connection");
              }
              written.addAll(batch);
            },
            100);
    // When it is queued, given up, and another refusal follows
    audits.offer(refusal(1));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> attempts.get() >= RefusalAudits.ATTEMPTS);
    Thread.sleep(50);
    audits.offer(refusal(2));
    audits.stop(Duration.ofSeconds(10));
    // Then it was tried ATTEMPTS times, no more, and the writer still wrote the next
    assertEquals(RefusalAudits.ATTEMPTS, attempts.get());
    assertEquals(List.of(refusal(2)), written);
  }

  @Test
  void aFullQueueRefusesTheEventAndCountsItNeverBlocking() throws Exception {
    // Given a queue of 3 behind a writer that is held
    CountDownLatch open = new CountDownLatch(1);
    List<List<AuditEvent>> batches = Collections.synchronizedList(new ArrayList<>());
    RefusalAudits audits = new RefusalAudits(recording(batches, open), 3);
    assertTrue(audits.offer(refusal(0)));
    // the writer has taken the first and waits
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> audits.queued() == 0);
    for (int i = 1; i <= 3; i++) {
      assertTrue(audits.offer(refusal(i)));
    }
    // When one more comes
    boolean taken = audits.offer(refusal(4));
    // Then it is refused at once and counted; what was queued is still written
    assertFalse(taken);
    assertEquals(1, audits.lost());
    open.countDown();
    audits.stop(Duration.ofSeconds(10));
    List<AuditEvent> written = new ArrayList<>();
    batches.forEach(written::addAll);
    assertEquals(List.of(refusal(0), refusal(1), refusal(2), refusal(3)), written);
  }

  @Test
  void afterStopNothingMoreIsTaken() {
    // Given a stopped queue
    List<List<AuditEvent>> batches = Collections.synchronizedList(new ArrayList<>());
    RefusalAudits audits = new RefusalAudits(recording(batches, new CountDownLatch(0)), 10);
    audits.stop(Duration.ofSeconds(10));
    // When a refusal comes during shutdown
    // Then it is refused and counted, not left in a queue nobody drains
    assertFalse(audits.offer(refusal(1)));
    assertEquals(1, audits.lost());
    assertTrue(batches.isEmpty());
  }
}
