package org.safehub.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Single publishes' case reads taken together: a lone read is its own statement, the reads that
 * arrive while one runs share the next.
 */
class CaseReadsTest {

  private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

  private static CaseFile open(String ref) {
    return new CaseFile(ref, "E08000026", true, Map.of(), NOW, NOW);
  }

  /** A case store of fixed cases that records each statement and can hold the first one. */
  private static final class Store implements CaseLookup {
    final Map<String, CaseFile> cases = new HashMap<>();
    final List<List<String>> statements = new CopyOnWriteArrayList<>();
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch releaseFirst = new CountDownLatch(1);
    final CountDownLatch secondStarted = new CountDownLatch(1);
    final CountDownLatch releaseSecond = new CountDownLatch(1);
    final AtomicBoolean holdSecond = new AtomicBoolean();
    final AtomicBoolean fail = new AtomicBoolean();
    final AtomicBoolean error = new AtomicBoolean();

    @Override
    public Optional<CaseFile> find(String caseRef) throws SQLException {
      return Optional.ofNullable(statement(List.of(caseRef)).get(caseRef));
    }

    @Override
    public Map<String, CaseFile> findAll(Collection<String> caseRefs) throws SQLException {
      return statement(caseRefs);
    }

    private Map<String, CaseFile> statement(Collection<String> caseRefs) throws SQLException {
      statements.add(List.copyOf(caseRefs));
      if (statements.size() == 1) {
        firstStarted.countDown();
        hold(releaseFirst);
      } else if (statements.size() == 2 && holdSecond.get()) {
        secondStarted.countDown();
        hold(releaseSecond);
      }
      if (fail.get()) {
        throw new SQLException("connection refused");
      }
      if (error.get()) {
        throw new OutOfMemoryError("simulated");
      }
      Map<String, CaseFile> found = new HashMap<>();
      caseRefs.forEach(r -> Optional.ofNullable(cases.get(r)).ifPresent(f -> found.put(r, f)));
      return found;
    }

    private static void hold(CountDownLatch release) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static CompletableFuture<Optional<CaseFile>> findAsync(CaseReads reads, String ref) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return reads.find(ref);
          } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        });
  }

  /**
   * Starts a read of {@code first}, whose statement the store holds, then the reads of {@code
   * meanwhile}, and returns them all, in that order, once the latter wait for it.
   */
  private static List<CompletableFuture<Optional<CaseFile>>> readWhileHeld(
      Store store, CaseReads reads, String first, String... meanwhile) throws InterruptedException {
    List<CompletableFuture<Optional<CaseFile>>> all = new ArrayList<>();
    all.add(findAsync(reads, first));
    assertTrue(store.firstStarted.await(10, TimeUnit.SECONDS));
    for (String ref : meanwhile) {
      all.add(findAsync(reads, ref));
    }
    waitUntilWaiting(reads, meanwhile.length);
    return all;
  }

  @Test
  void readsThatArriveWhileAStatementRunsAreTakenTogetherInTheNextAndEachCallerGetsItsOwnCase()
      throws Exception {
    // Given a store with two cases, whose first statement is held
    Store store = new Store();
    store.cases.put("CASE-A", open("CASE-A"));
    store.cases.put("CASE-B", open("CASE-B"));
    CaseReads reads = new CaseReads(store, 10_000);
    // When three more reads arrive meanwhile (one of them for a case nobody opened)
    List<CompletableFuture<Optional<CaseFile>>> all =
        readWhileHeld(store, reads, "CASE-A", "CASE-B", "CASE-NONE", "CASE-A");
    CompletableFuture<Optional<CaseFile>> first = all.get(0);
    List<CompletableFuture<Optional<CaseFile>>> later = all.subList(1, 4);
    store.releaseFirst.countDown();
    // Then the first was read alone and the three together, in one statement after it
    assertEquals("CASE-A", first.get(10, TimeUnit.SECONDS).orElseThrow().caseRef());
    assertEquals("CASE-B", later.get(0).get(10, TimeUnit.SECONDS).orElseThrow().caseRef());
    assertFalse(later.get(1).get(10, TimeUnit.SECONDS).isPresent());
    assertEquals("CASE-A", later.get(2).get(10, TimeUnit.SECONDS).orElseThrow().caseRef());
    assertEquals(2, store.statements.size(), store.statements.toString());
    assertEquals(List.of("CASE-A"), store.statements.get(0));
    assertEquals(
        List.of("CASE-A", "CASE-B", "CASE-NONE"),
        store.statements.get(1).stream().sorted().toList());
    // and a read after them all is again a statement of its own
    assertEquals("CASE-B", reads.find("CASE-B").orElseThrow().caseRef());
    assertEquals(List.of("CASE-B"), store.statements.get(2));
    assertEquals(0, reads.waiting());
  }

  @Test
  void aFailedStatementFailsEveryReadOfItsGroupAndTheNextReadIsMadeAgain() throws Exception {
    // Given a store whose first statement is held and then fails
    Store store = new Store();
    store.cases.put("CASE-A", open("CASE-A"));
    store.fail.set(true);
    CaseReads reads = new CaseReads(store, 10_000);
    List<CompletableFuture<Optional<CaseFile>>> all =
        readWhileHeld(store, reads, "CASE-A", "CASE-B", "CASE-A");
    store.releaseFirst.countDown();
    // When the statements fail, every read fails closed: told, never given "no case"
    for (CompletableFuture<Optional<CaseFile>> f : all) {
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals("connection refused", failed.getCause().getCause().getMessage());
    }
    // Then, once the store answers again, the next read is made
    store.fail.set(false);
    assertEquals("CASE-A", reads.find("CASE-A").orElseThrow().caseRef());
    assertEquals(0, reads.waiting());
  }

  @Test
  void anErrorInAGroupsStatementStillAnswersEveryOtherReadOfTheGroup() throws Exception {
    // Given a store whose first statement is held, with two reads waiting for it
    Store store = new Store();
    store.cases.put("CASE-A", open("CASE-A"));
    CaseReads reads = new CaseReads(store, 10_000);
    List<CompletableFuture<Optional<CaseFile>>> all =
        readWhileHeld(store, reads, "CASE-A", "CASE-A", "CASE-B");
    CompletableFuture<Optional<CaseFile>> first = all.get(0);
    // When the statements end in an Error, not an exception (the held one, then the group's)
    store.error.set(true);
    store.releaseFirst.countDown();
    // Then the reader that made the group's (the first of the group to have queued: either) sees
    // the Error and the other is refused, none left waiting
    for (CompletableFuture<Optional<CaseFile>> f : all) {
      assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    }
    CompletableFuture<Optional<CaseFile>> groupReader = groupReader(store, all, "CASE-A");
    CompletableFuture<Optional<CaseFile>> other =
        groupReader == all.get(1) ? all.get(2) : all.get(1);
    ExecutionException leader =
        assertThrows(ExecutionException.class, () -> groupReader.get(10, TimeUnit.SECONDS));
    assertTrue(leader.getCause() instanceof OutOfMemoryError, leader.toString());
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> other.get(10, TimeUnit.SECONDS));
    assertEquals("the case read failed", refused.getCause().getCause().getMessage());
    assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
    // and the next read is made again
    store.error.set(false);
    assertEquals("CASE-A", reads.find("CASE-A").orElseThrow().caseRef());
    assertEquals(0, reads.waiting());
  }

  @Test
  void aWaitingReadThatIsNotAnsweredInTimeLeavesAndTheOthersAreStillRead() throws Exception {
    // Given a store whose first statement is held longer than a read may wait
    Store store = new Store();
    store.cases.put("CASE-A", open("CASE-A"));
    CaseReads reads = new CaseReads(store, 200);
    CompletableFuture<Optional<CaseFile>> first = findAsync(reads, "CASE-A");
    assertTrue(store.firstStarted.await(10, TimeUnit.SECONDS));
    // When a read waits for it past its time, it is refused and leaves
    SQLException late = assertThrows(SQLException.class, () -> reads.find("CASE-A"));
    assertEquals("the case store did not answer in time", late.getMessage());
    assertEquals(0, reads.waiting());
    // Then the held read still gets its case, and the next read is made at once
    store.releaseFirst.countDown();
    assertEquals("CASE-A", first.get(10, TimeUnit.SECONDS).orElseThrow().caseRef());
    assertEquals("CASE-A", reads.find("CASE-A").orElseThrow().caseRef());
    assertEquals(List.of(List.of("CASE-A"), List.of("CASE-A")), store.statements);
  }

  @Test
  void aReadInAGroupAnotherIsReadingThatIsNotAnsweredInTimeIsRefusedAndTheGroupStillEnds()
      throws Exception {
    // Given reads of CASE-B and CASE-C that waited for a held statement and were handed to the
    // first of them as one group, whose statement is held too, longer than a read may wait (5 s:
    // long enough that neither gives up before the group is handed over, on a busy machine too)
    Store store = new Store();
    store.cases.put("CASE-B", open("CASE-B"));
    store.cases.put("CASE-C", open("CASE-C"));
    store.holdSecond.set(true);
    CaseReads reads = new CaseReads(store, 5_000);
    List<CompletableFuture<Optional<CaseFile>>> all =
        readWhileHeld(store, reads, "CASE-A", "CASE-B", "CASE-C");
    store.releaseFirst.countDown();
    assertTrue(store.secondStarted.await(10, TimeUnit.SECONDS));
    CompletableFuture<Optional<CaseFile>> leader = groupReader(store, all, "CASE-B");
    CompletableFuture<Optional<CaseFile>> grouped = leader == all.get(1) ? all.get(2) : all.get(1);
    // When the read that is not the group's reader waits past its time
    ExecutionException late =
        assertThrows(ExecutionException.class, () -> grouped.get(10, TimeUnit.SECONDS));
    // Then it is refused, told so, never given "no case"
    assertEquals("the case store did not answer in time", late.getCause().getCause().getMessage());
    // and the group's reader still gets its own case once its statement ends
    store.releaseSecond.countDown();
    assertTrue(leader.get(10, TimeUnit.SECONDS).isPresent());
    assertFalse(all.get(0).get(10, TimeUnit.SECONDS).isPresent()); // CASE-A: nobody opened it
    assertEquals(List.of("CASE-B", "CASE-C"), store.statements.get(1).stream().sorted().toList());
    // and the next read is a statement of its own, made at once
    assertEquals("CASE-C", reads.find("CASE-C").orElseThrow().caseRef());
    assertEquals(List.of("CASE-C"), store.statements.get(2));
    assertEquals(0, reads.waiting());
  }

  /**
   * Of the two reads that waited ({@code all.get(1)}, of {@code secondRef}, and {@code
   * all.get(2)}), the one that read their group: the first in the group's statement (either may
   * queue first).
   */
  private static CompletableFuture<Optional<CaseFile>> groupReader(
      Store store, List<CompletableFuture<Optional<CaseFile>>> all, String secondRef) {
    return store.statements.get(1).get(0).equals(secondRef) ? all.get(1) : all.get(2);
  }

  private static void waitUntilWaiting(CaseReads reads, int n) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reads.waiting() < n && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(n, reads.waiting());
  }
}
