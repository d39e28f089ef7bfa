package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SettableClock;

/** The audit log against a real PostgreSQL (embedded), with the hub's Flyway migrations. */
class AuditLogIT {

  static final Instant START = Instant.parse("2025-01-06T08:00:00Z");
  static final String[] AGENCIES = {
    "police-west", "childrens-services-north", "idva-service", "probation-east", "housing-central"
  };
  static final String[] BASES = {
    "consent", "safeguarding-child", "safeguarding-adult-at-risk", "vital-interests"
  };
  static final AuditAction[] ACTIONS = {
    AuditAction.PUBLISH_ACCEPTED,
    AuditAction.ROUTED,
    AuditAction.CONSENT_RECORDED,
    AuditAction.AUTH_DENIED,
    AuditAction.DELIVERED,
    AuditAction.WITHHELD,
    AuditAction.FETCHED,
    AuditAction.ACKNOWLEDGED
  };

  private static DataSource db;
  private static KeyPair keys;
  private static AuditLog log;
  private static final List<AuditEvent> stored = new ArrayList<>();

  /**
   * The i-th of a deterministic spread of events: 37 cases, 5 agencies, 8 actions, 4 bases, one a
   * minute.
   */
  static AuditEvent event(int i) {
    AuditAction action = ACTIONS[i % ACTIONS.length];
    String basis = BASES[(i / ACTIONS.length) % BASES.length];
    AuditEvent.Builder b =
        AuditEvent.builder(action, START.plus(Duration.ofMinutes(i)))
            .actor(AGENCIES[i % AGENCIES.length], AGENCIES[i % AGENCIES.length] + "-client")
            .message(new UUID(0, i / 4), "referral", "CASE-" + (i % 37))
            .recipient(AGENCIES[(i + 2) % AGENCIES.length])
            .legalBasis(
                basis, basis.equals("consent") ? null : justificationOf(new UUID(0, i / 4)));
    if (action == AuditAction.WITHHELD) {
      b.reason("no-consent");
    }
    if (action == AuditAction.DELIVERED) {
      b.categories(List.of("victim-location", "health"));
    }
    return b.build();
  }

  /** The justification of a message: one per message, as the hub records it. */
  static String justificationOf(UUID messageId) {
    return "Serious risk of harm; justification for message "
        + messageId.getLeastSignificantBits()
        + ".";
  }

  /**
   * An event as stored (its justification sealed) the way a query shows it: with the justification
   * opened.
   */
  static AuditEvent opened(AuditEvent e) {
    if (!e.detail().containsKey(AuditLog.JUSTIFICATION_SEAL)) {
      return e;
    }
    return e.withJustification(justificationOf(e.messageId()), e.detail());
  }

  /** An event as stored, its seal left out: what the caller appended. */
  static AuditEvent unsealed(AuditEvent e) {
    if (!e.detail().containsKey(AuditLog.JUSTIFICATION_SEAL)) {
      return e;
    }
    java.util.Map<String, String> detail = new java.util.HashMap<>(e.detail());
    detail.remove(AuditLog.JUSTIFICATION_SEAL);
    return new AuditEvent(
        e.seq(),
        e.time(),
        e.action(),
        e.actorAgency(),
        e.actorClient(),
        e.messageId(),
        e.messageType(),
        e.caseRef(),
        e.recipient(),
        e.legalBasis(),
        e.reason(),
        e.categories(),
        justificationOf(e.messageId()),
        detail);
  }

  @BeforeAll
  static void appendAThousandEvents() {
    db = AuditDatabase.fresh();
    keys = AuditDatabase.p256();
    log = new AuditLog(db, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    for (int batch = 0; batch < 10; batch++) {
      List<AuditEvent> events = new ArrayList<>();
      for (int i = batch * 100; i < (batch + 1) * 100; i++) {
        events.add(event(i));
      }
      stored.addAll(log.append(events));
      if (batch == 2) {
        log.checkpointNow(); // a checkpoint at 300, for consistency proofs
      }
    }
  }

  @Test
  void theAuditTableIsIndexedForTheAuditorsFiltersAndNothingElse() throws Exception {
    // every secondary index costs each appended event a write: one for each filter an auditor has
    // (case, agency as actor or as recipient, action, basis, time, the without-consent view)
    Set<String> indexes = new TreeSet<>();
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("select indexname from pg_indexes where tablename = 'audit_event'")) {
      while (rs.next()) {
        indexes.add(rs.getString(1));
      }
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "audit_event_pkey",
                "audit_event_by_case",
                "audit_event_by_time",
                "audit_event_by_action",
                "audit_event_by_actor",
                "audit_event_by_recipient",
                "audit_event_by_basis",
                "audit_event_without_consent")),
        indexes,
        "no index on message_id: nothing reads the log by message");
  }

  @Test
  void appendAssignsConsecutiveSeqsFromZero() {
    assertEquals(1000, log.size());
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(i, stored.get(i).seq());
      assertEquals(event(i).withSeq(i), unsealed(stored.get(i)));
    }
  }

  @Test
  void checkpointSignsTheRootOfEveryEvent() {
    // When
    Checkpoint checkpoint = log.checkpointNow();
    // Then
    assertEquals(1000, checkpoint.treeSize());
    assertTrue(checkpoint.verify(keys.getPublic()));
    assertArrayEquals(
        MerkleTree.root(stored.stream().map(AuditEvent::leafHash).toList()), checkpoint.rootHash());
    assertEquals(Optional.of(checkpoint), log.latestCheckpoint());
    assertEquals(Optional.of(checkpoint), log.checkpoint(1000));
    assertEquals(checkpoint, log.checkpointNow(), "nothing new: the same checkpoint");
    assertTrue(log.checkpoint(300).orElseThrow().verify(keys.getPublic()));
    assertEquals(
        List.of(300L, 1000L), log.checkpoints(0, 10).stream().map(Checkpoint::treeSize).toList());
  }

  @Test
  void queryByCaseRefPagesThroughEveryMatchInSeqOrder() {
    assertQuery(
        AuditLog.Filter.all().caseRef("CASE-5").limit(7), e -> "CASE-5".equals(e.caseRef()));
  }

  @Test
  void queryByAgencyMatchesActorOrRecipient() {
    List<AuditEvent> found =
        assertQuery(
            AuditLog.Filter.all().agency("idva-service").limit(50),
            e -> "idva-service".equals(e.actorAgency()) || "idva-service".equals(e.recipient()));
    assertTrue(found.stream().anyMatch(e -> "idva-service".equals(e.actorAgency())));
    assertTrue(found.stream().anyMatch(e -> "idva-service".equals(e.recipient())));
  }

  @Test
  void queryByActionBasisAndTimeRange() {
    assertQuery(
        AuditLog.Filter.all().action(AuditAction.WITHHELD).limit(30),
        e -> e.action() == AuditAction.WITHHELD);
    assertQuery(
        AuditLog.Filter.all().legalBasis("vital-interests").limit(100),
        e -> "vital-interests".equals(e.legalBasis()));
    Instant from = START.plus(Duration.ofHours(3));
    Instant to = START.plus(Duration.ofHours(4));
    List<AuditEvent> hour =
        assertQuery(
            AuditLog.Filter.all().between(from, to).limit(25),
            e -> !e.time().isBefore(from) && e.time().isBefore(to));
    assertEquals(60, hour.size());
  }

  @Test
  void newestFirstPagesThroughTheSameMatchesInReverse() {
    for (AuditLog.Filter filter :
        List.of(
            AuditLog.Filter.all().caseRef("CASE-5").limit(7),
            AuditLog.Filter.all().agency("idva-service").limit(50),
            AuditLog.Filter.all().agency("police-west").action(AuditAction.DELIVERED).limit(3),
            AuditLog.Filter.all().limit(333))) {
      // Given the matches oldest first
      List<AuditEvent> oldestFirst = new ArrayList<>();
      for (AuditLog.Filter f = filter; ; ) {
        AuditLog.Page page = log.query(f);
        oldestFirst.addAll(page.events());
        if (page.nextAfterSeq() == null) {
          break;
        }
        f = f.after(page.nextAfterSeq());
      }
      // When paging newest first, each page continuing below the last seq
      List<AuditEvent> newestFirst = new ArrayList<>();
      for (AuditLog.Filter f = filter; ; ) {
        AuditLog.Page page = log.queryNewestFirst(f);
        assertTrue(page.events().size() <= filter.limit());
        newestFirst.addAll(page.events());
        if (page.nextAfterSeq() == null) {
          break;
        }
        assertEquals(filter.limit(), page.events().size(), "only the last page is short");
        f = f.after(page.nextAfterSeq());
      }
      // Then they are the same events, in reverse
      List<AuditEvent> reversed = new ArrayList<>(oldestFirst);
      java.util.Collections.reverse(reversed);
      assertFalse(reversed.isEmpty());
      assertEquals(reversed, newestFirst, filter.toString());
    }
  }

  @Test
  void filtersCombine() {
    assertQuery(
        AuditLog.Filter.all()
            .caseRef("CASE-3")
            .agency("police-west")
            .action(AuditAction.DELIVERED)
            .limit(2),
        e ->
            "CASE-3".equals(e.caseRef())
                && e.action() == AuditAction.DELIVERED
                && ("police-west".equals(e.actorAgency()) || "police-west".equals(e.recipient())));
    assertQuery(
        AuditLog.Filter.all()
            .agency("housing-central")
            .between(START, START.plus(Duration.ofHours(10)))
            .legalBasis("consent")
            .limit(3),
        e ->
            ("housing-central".equals(e.actorAgency()) || "housing-central".equals(e.recipient()))
                && e.time().isBefore(START.plus(Duration.ofHours(10)))
                && "consent".equals(e.legalBasis()));
    assertTrue(log.query(AuditLog.Filter.all().caseRef("NO-SUCH-CASE")).events().isEmpty());
  }

  @Test
  void sharedWithoutConsentListsDeliveriesOnOtherBasesWithTheirJustification() {
    // When
    List<AuditEvent> all = new ArrayList<>();
    Long after = null;
    do {
      AuditLog.Page page = log.sharedWithoutConsent(null, null, after, 20);
      all.addAll(page.events());
      after = page.nextAfterSeq();
    } while (after != null);
    // Then
    List<AuditEvent> expected =
        stored.stream().filter(AuditEvent::sharedWithoutConsent).map(AuditLogIT::opened).toList();
    assertFalse(expected.isEmpty());
    assertEquals(expected, all);
    assertTrue(
        all.stream().allMatch(e -> e.justification() != null && !e.legalBasis().equals("consent")));
    Instant to = START.plus(Duration.ofHours(2));
    assertEquals(
        expected.stream().filter(e -> e.time().isBefore(to)).toList(),
        log.sharedWithoutConsent(START, to, null, 1000).events());
  }

  @Test
  void everyEventHasAnInclusionProofAgainstTheSignedRoot() {
    Checkpoint checkpoint = log.checkpointNow();
    Checkpoint early = log.checkpoint(300).orElseThrow();
    for (AuditEvent e : stored) {
      AuditLog.InclusionProof proof = log.inclusionProof(e.seq(), checkpoint.treeSize());
      assertArrayEquals(e.leafHash(), proof.leafHash());
      assertTrue(proof.verify(checkpoint.rootHash()), "seq " + e.seq());
      assertFalse(proof.verify(early.rootHash()));
      if (e.seq() < 300) {
        assertTrue(
            log.inclusionProof(e.seq(), 300).verify(early.rootHash()),
            "seq " + e.seq() + " in 300");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> log.inclusionProof(1000, 1000));
    assertThrows(IllegalArgumentException.class, () -> log.inclusionProof(5, 1001));
  }

  @Test
  void consecutiveCheckpointsAreProvablyConsistent() {
    Checkpoint late = log.checkpointNow();
    Checkpoint early = log.checkpoint(300).orElseThrow();
    AuditLog.ConsistencyProof proof = log.consistencyProof(early.treeSize(), late.treeSize());
    assertTrue(proof.verify(early.rootHash(), late.rootHash()));
    assertFalse(proof.verify(late.rootHash(), early.rootHash()));
    for (long m = 1; m <= 1000; m += 37) {
      assertTrue(log.consistencyProof(m, 1000).verify(log.root(m), late.rootHash()), "from " + m);
    }
  }

  @Test
  void maybeCheckpointSignsAfterEnoughEventsOrEnoughTime() {
    // Given a log that checkpoints every 10 events or every hour, on a clock we move
    SettableClock clock = new SettableClock(START);
    AuditLog small =
        new AuditLog(
            AuditDatabase.fresh(),
            CheckpointSigner.of(AuditDatabase.p256()),
            AuditDatabase.testSealer(),
            new AuditLog.Settings(10, Duration.ofHours(1)),
            clock);
    assertTrue(small.maybeCheckpoint().isEmpty(), "an empty log needs no checkpoint");
    small.append(List.of(event(0)));
    assertEquals(
        1,
        small.maybeCheckpoint().orElseThrow().treeSize(),
        "the first events are checkpointed at once");
    // When fewer than 10 events and less than an hour
    small.append(events(1, 9));
    clock.now = START.plus(Duration.ofMinutes(59));
    // Then
    assertTrue(small.maybeCheckpoint().isEmpty());
    // When the tenth event since arrives
    small.append(events(9, 11));
    assertEquals(11, small.maybeCheckpoint().orElseThrow().treeSize());
    // When one more event and an hour passes
    small.append(events(11, 12));
    assertTrue(small.maybeCheckpoint().isEmpty());
    clock.now = clock.now.plus(Duration.ofHours(1));
    assertEquals(12, small.maybeCheckpoint().orElseThrow().treeSize());
    // Then with nothing new, time alone does not sign
    clock.now = clock.now.plus(Duration.ofHours(5));
    assertTrue(small.maybeCheckpoint().isEmpty());
  }

  @Test
  void appendInTheCallersTransactionRollsBackWithIt() throws SQLException {
    // Given
    DataSource fresh = AuditDatabase.fresh();
    AuditLog own =
        new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    own.append(events(0, 3));
    // When the caller's transaction rolls back
    try (Connection c = fresh.getConnection()) {
      c.setAutoCommit(false);
      List<AuditEvent> pending = own.appendInTransaction(c, events(3, 5));
      assertEquals(List.of(3L, 4L), pending.stream().map(AuditEvent::seq).toList());
      c.rollback();
    }
    // Then nothing of it remains and the next append reuses the seqs
    assertEquals(3, own.size());
    assertEquals(List.of(3L), own.append(events(5, 6)).stream().map(AuditEvent::seq).toList());
    // When it commits, the events are there
    try (Connection c = fresh.getConnection()) {
      c.setAutoCommit(false);
      own.appendInTransaction(c, events(6, 8));
      c.commit();
    }
    assertEquals(6, own.size());
    // And outside a transaction it refuses
    try (Connection c = fresh.getConnection()) {
      assertThrows(IllegalStateException.class, () -> own.appendInTransaction(c, events(8, 9)));
    }
  }

  @Test
  void appendRefusesARepeatableReadTransaction() throws SQLException {
    // Given a log, and a REPEATABLE READ transaction: its snapshot, taken before the writer lock,
    // would not see a seq another writer committed while it waited for the lock
    DataSource fresh = AuditDatabase.fresh();
    AuditLog own =
        new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    own.append(events(0, 2));
    try (Connection c = fresh.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      // When it appends, Then it is refused and writes nothing
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> own.appendInTransaction(c, events(2, 3)));
      assertEquals("audit appends need READ COMMITTED isolation", refused.getMessage());
      c.rollback();
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
    assertEquals(2, own.size());
  }

  @Test
  void twoHubInstancesAppendingAtOnceNeverInterleaveSeqs() throws Exception {
    // Given two logs (two hub instances) on one database
    DataSource shared = AuditDatabase.fresh();
    AuditLog a =
        new AuditLog(shared, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    AuditLog b =
        new AuditLog(shared, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<List<AuditEvent>>> futures = new ArrayList<>();
    // When each appends 50 batches of 10 from two threads
    for (int t = 0; t < 4; t++) {
      AuditLog target = t % 2 == 0 ? a : b;
      Callable<List<AuditEvent>> appender =
          () -> {
            List<AuditEvent> mine = new ArrayList<>();
            for (int k = 0; k < 50; k++) {
              mine.addAll(target.append(events(0, 10)));
            }
            return mine;
          };
      futures.add(pool.submit(appender));
    }
    List<Long> seqs = new ArrayList<>();
    for (Future<List<AuditEvent>> f : futures) {
      List<AuditEvent> batch = f.get();
      for (int i = 0; i < batch.size(); i += 10) {
        // each batch is contiguous
        assertEquals(batch.get(i).seq() + 9, batch.get(i + 9).seq());
      }
      batch.forEach(e -> seqs.add(e.seq()));
    }
    pool.shutdown();
    // Then every seq 0..1999 was given exactly once and both instances sign the same root
    assertEquals(2000, seqs.size());
    assertEquals(2000, seqs.stream().distinct().count());
    assertEquals(1999L, seqs.stream().mapToLong(Long::longValue).max().orElseThrow());
    Checkpoint fromA = a.checkpointNow();
    assertEquals(fromA, b.checkpointNow());
    assertArrayEquals(a.root(2000), b.root(2000));
  }

  @Test
  void theDatabaseRefusesToChangeOrDeleteAuditRows() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      assertThrows(
          SQLException.class,
          () -> s.executeUpdate("update audit_event set recipient = 'x' where seq = 1"));
      assertThrows(
          SQLException.class, () -> s.executeUpdate("delete from audit_event where seq = 1"));
      assertThrows(SQLException.class, () -> s.executeUpdate("truncate audit_event"));
      assertThrows(SQLException.class, () -> s.executeUpdate("delete from audit_checkpoint"));
    }
  }

  @Test
  void theHubRefusesToSignOverARewrittenHistory() throws SQLException {
    // Given a log with a checkpoint, whose stored leaf hash is then rewritten behind the hub's back
    DataSource fresh = AuditDatabase.fresh();
    AuditLog first =
        new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    first.append(events(0, 20));
    first.checkpointNow();
    try (Connection c = fresh.getConnection();
        Statement s = c.createStatement()) {
      s.execute("alter table audit_event disable trigger audit_event_append_only");
      s.executeUpdate("update audit_event set leaf_hash = sha256(leaf_hash) where seq = 4");
    }
    // When a hub instance (cache cold) is asked for a new checkpoint
    AuditLog restarted =
        new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    restarted.append(events(20, 21));
    // Then it refuses
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, restarted::checkpointNow);
    assertTrue(refused.getMessage().contains("no longer matches"), refused.getMessage());
  }

  @Test
  void aGapInTheStoredLogStopsProofs() throws SQLException {
    DataSource fresh = AuditDatabase.fresh();
    new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults())
        .append(events(0, 10));
    try (Connection c = fresh.getConnection();
        Statement s = c.createStatement()) {
      s.execute("alter table audit_event disable trigger audit_event_append_only");
      s.executeUpdate("delete from audit_event where seq = 6");
    }
    AuditLog restarted =
        new AuditLog(fresh, keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    assertThrows(IllegalStateException.class, restarted::size);
    assertThrows(IllegalStateException.class, restarted::checkpointNow);
  }

  // --- helpers

  static List<AuditEvent> events(int from, int to) {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.add(event(i));
    }
    return events;
  }

  /**
   * Pages through {@code filter} and checks the pages equal the stored events matching {@code
   * expected}.
   */
  private static List<AuditEvent> assertQuery(
      AuditLog.Filter filter, Predicate<AuditEvent> expected) {
    List<AuditEvent> all = new ArrayList<>();
    AuditLog.Filter f = filter;
    int pages = 0;
    while (true) {
      AuditLog.Page page = log.query(f);
      assertTrue(page.events().size() <= filter.limit());
      all.addAll(page.events());
      pages++;
      if (page.nextAfterSeq() == null) {
        break;
      }
      assertEquals(filter.limit(), page.events().size(), "only the last page is short");
      f = f.after(page.nextAfterSeq());
    }
    List<AuditEvent> want = stored.stream().filter(expected).map(AuditLogIT::opened).toList();
    assertFalse(want.isEmpty(), "the fixture should have matches");
    assertEquals(want, all);
    assertEquals(Math.max(1, (want.size() + filter.limit() - 1) / filter.limit()), pages, "pages");
    return all;
  }
}
