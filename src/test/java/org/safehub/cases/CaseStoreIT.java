package org.safehub.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;

/**
 * The case store on a real PostgreSQL: a locking read waits for a change and then sees all of it.
 */
class CaseStoreIT {

  @Test
  void aLockingReadThatWaitedForAMemberChangeSeesTheMembersAsCommitted() throws Exception {
    // Given a case with two members
    DataSource ds = AuditDatabase.fresh();
    CaseStore store = new CaseStore(ds);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    try (Connection c = ds.getConnection()) {
      assertTrue(
          store.insert(
              c,
              new CaseFile(
                  "CASE-LOCK-1",
                  "E08000026",
                  true,
                  Map.of("demo-iss", CaseRole.PARTNER_SUPPORT, "demo-dvpp", CaseRole.PROGRAMME),
                  now,
                  now)));
    }
    try (Connection writer = ds.getConnection()) {
      // and a transaction that holds the case while it removes a member
      writer.setAutoCommit(false);
      assertTrue(store.find(writer, "CASE-LOCK-1", true).isPresent());
      assertTrue(store.removeMember(writer, "CASE-LOCK-1", "demo-dvpp", now));
      // When another transaction asks for the case with the lock, it waits
      CompletableFuture<Optional<CaseFile>> reader =
          CompletableFuture.supplyAsync(
              () -> {
                try (Connection c = ds.getConnection()) {
                  c.setAutoCommit(false);
                  Optional<CaseFile> found = store.find(c, "CASE-LOCK-1", true);
                  c.commit();
                  return found;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // bounded wait: the reader must still be blocked on the row lock
      assertFalse(waitsDone(reader));
      writer.commit();
      // Then, once the change commits, it sees the member gone
      CaseFile seen = reader.get(30, TimeUnit.SECONDS).orElseThrow();
      assertEquals(Map.of("demo-iss", CaseRole.PARTNER_SUPPORT), seen.members());
    }
  }

  private static boolean waitsDone(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(1, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  @Test
  void aBatchReadReturnsEachExistingCaseWithItsMembersAndLeavesOutTheRest() throws Exception {
    // Given two cases, one with two members and a closed one with none
    DataSource ds = AuditDatabase.fresh();
    CaseStore store = new CaseStore(ds);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    CaseFile withMembers =
        new CaseFile(
            "CASE-ALL-1",
            "E08000026",
            true,
            Map.of("demo-iss", CaseRole.PARTNER_SUPPORT, "demo-dvpp", CaseRole.PROGRAMME),
            now,
            now);
    CaseFile closedAlone = new CaseFile("CASE-ALL-2", "E08000025", true, Map.of(), now, now);
    try (Connection c = ds.getConnection()) {
      assertTrue(store.insert(c, withMembers));
      assertTrue(store.insert(c, closedAlone));
      store.setOpen(c, "CASE-ALL-2", false, now);
    }

    // When a batch asks for both, a caseRef never used, and one of them twice
    Map<String, CaseFile> found =
        store.findAll(List.of("CASE-ALL-1", "CASE-NONE", "CASE-ALL-2", "CASE-ALL-1"));

    // Then it gets exactly the two cases, each as a read of its own gives it
    assertEquals(Set.of("CASE-ALL-1", "CASE-ALL-2"), found.keySet());
    assertEquals(store.find("CASE-ALL-1").orElseThrow(), found.get("CASE-ALL-1"));
    assertEquals(store.find("CASE-ALL-2").orElseThrow(), found.get("CASE-ALL-2"));
    assertEquals(withMembers.members(), found.get("CASE-ALL-1").members());
    assertFalse(found.get("CASE-ALL-2").open());
    assertTrue(found.get("CASE-ALL-2").members().isEmpty());
    assertEquals(Map.of(), store.findAll(List.of()));
  }
}
