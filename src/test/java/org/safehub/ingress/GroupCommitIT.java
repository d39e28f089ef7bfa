package org.safehub.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.agencies.AgencyType;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditDatabase;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.consent.ConsentRegistry;
import org.safehub.envelope.LegalBasis;
import org.safehub.kafka.Topics;
import org.safehub.trail.AuditTrail;

/**
 * Group commit of publish claims and confirmations against a real PostgreSQL (embedded, with the
 * hub's migrations): a group is one transaction, yet each request gets its own answer, and one bad
 * request fails alone. The audit topic is a MockProducer: forwarding to it is best effort and not
 * what is tested here.
 */
class GroupCommitIT {

  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

  private DataSource db;
  private AuditLog log;
  private AgencyStatusStore statuses;
  private ReceiptStore receipts;
  private AuditTrail trail;
  private final ExecutorService callers = Executors.newFixedThreadPool(16);

  @BeforeEach
  void freshDatabase() {
    db = AuditDatabase.fresh();
    log =
        new AuditLog(
            db, AuditDatabase.p256(), AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    trail =
        new AuditTrail(
            log,
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
            new Topics("safehub"));
    AgencyDirectory agencies =
        new AgencyDirectory(
            Set.of(AgencyType.of("perpetrator-programme"), AgencyType.of("partner-support")),
            List.of(
                new Agency(
                    "demo-dvpp",
                    "Programme",
                    AgencyType.of("perpetrator-programme"),
                    Set.of("E09000001"),
                    AgencyStatus.ACTIVE),
                new Agency(
                    "demo-iss",
                    "Partner support",
                    AgencyType.of("partner-support"),
                    Set.of("E09000001"),
                    AgencyStatus.ACTIVE)));
    statuses = new AgencyStatusStore(db, agencies);
    receipts = new ReceiptStore(db, new ConsentRegistry(db), trail);
  }

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

  @Test
  void manyConcurrentPublishesAreEachClaimedConfirmedAndAuditedOnce() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      List<Future<ReceiptStore.Claim>> results = new ArrayList<>();
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        results.add(
            callers.submit(
                () -> {
                  ReceiptStore.Claim claim = group.claim(claimOf(id, "demo-dvpp", (byte) 1));
                  group.confirm(new ReceiptStore.ConfirmRequest(id, null, List.of(accepted(id))));
                  return claim;
                }));
      }
      for (Future<ReceiptStore.Claim> f : results) {
        assertInstanceOf(ReceiptStore.Claim.Claimed.class, f.get(60, TimeUnit.SECONDS));
      }
      for (UUID id : ids) {
        assertEquals("accepted", state(id));
        assertEquals(List.of("demo-iss"), pendingRecipients(id));
      }
      List<AuditEvent> events = log.query(AuditLog.Filter.all().limit(1000)).events();
      assertEquals(200, events.size(), "one accepted event per message");
      assertEquals(
          Set.copyOf(ids), Set.copyOf(events.stream().map(AuditEvent::messageId).toList()));
      for (int i = 0; i < events.size(); i++) {
        assertEquals(i, events.get(i).seq(), "seqs are gapless");
      }
    }
  }

  @Test
  void theSameIdTwiceInOneGroupIsClaimedOnceAndTheOtherContentIsAConflict() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000, false)) {
      UUID id = UUID.randomUUID();
      Future<ReceiptStore.Claim> first = submitClaim(group, claimOf(id, "demo-dvpp", (byte) 1));
      awaitQueued(group, 1);
      Future<ReceiptStore.Claim> second = submitClaim(group, claimOf(id, "demo-dvpp", (byte) 2));
      Future<ReceiptStore.Claim> same = submitClaim(group, claimOf(id, "demo-dvpp", (byte) 1));
      awaitQueued(group, 3);
      group.commitQueued();
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, first.get(10, TimeUnit.SECONDS));
      assertInstanceOf(ReceiptStore.Claim.Conflict.class, second.get(10, TimeUnit.SECONDS));
      assertInstanceOf(
          ReceiptStore.Claim.Unconfirmed.class,
          same.get(10, TimeUnit.SECONDS),
          "same content, not yet confirmed: write it again");
      assertEquals("accepting", state(id));
    }
  }

  @Test
  void aClaimWritesPendingRowsOnlyForTheReceiptItInserted() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000, false)) {
      UUID stored = UUID.randomUUID();
      Future<ReceiptStore.Claim> earlier =
          submitClaim(group, claimOf(stored, "demo-dvpp", (byte) 1, List.of("demo-iss")));
      awaitQueued(group, 1);
      group.commitQueued();
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, earlier.get(10, TimeUnit.SECONDS));
      try (Connection c = db.getConnection();
          PreparedStatement ps =
              c.prepareStatement("update delivery set state = 'delivered' where message_id = ?")) {
        ps.setObject(1, stored);
        ps.executeUpdate(); // as the pipeline leaves it
      }

      UUID fresh = UUID.randomUUID();
      Future<ReceiptStore.Claim> again =
          submitClaim(
              group, claimOf(stored, "demo-dvpp", (byte) 1, List.of("demo-iss", "demo-mash")));
      awaitQueued(group, 1);
      Future<ReceiptStore.Claim> other =
          submitClaim(
              group, claimOf(fresh, "demo-dvpp", (byte) 1, List.of("demo-iss", "demo-mash")));
      awaitQueued(group, 2);
      group.commitQueued();

      assertInstanceOf(ReceiptStore.Claim.Unconfirmed.class, again.get(10, TimeUnit.SECONDS));
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, other.get(10, TimeUnit.SECONDS));
      assertEquals(List.of(), pendingRecipients(stored), "a stored receipt gets no pending rows");
      assertEquals(List.of("demo-iss", "demo-mash"), pendingRecipients(fresh));
    }
  }

  @Test
  void aRequestTheDatabaseRefusesFailsAloneAndTheRestOfItsGroupCommits() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000, false)) {
      UUID good1 = UUID.randomUUID();
      UUID bad = UUID.randomUUID();
      UUID good2 = UUID.randomUUID();
      Future<ReceiptStore.Claim> a = submitClaim(group, claimOf(good1, "demo-dvpp", (byte) 1));
      // a case reference of null breaks the receipt table's not-null constraint: the whole group's
      // transaction fails
      Future<ReceiptStore.Claim> b =
          submitClaim(
              group,
              new ReceiptStore.ClaimRequest(
                  bad,
                  new ReceiptStore.Facts(
                      "demo-dvpp",
                      new byte[] {9},
                      "attendance",
                      null,
                      LegalBasis.CONSENT,
                      List.of("S-1")),
                  NOW,
                  List.of("demo-iss")));
      Future<ReceiptStore.Claim> c = submitClaim(group, claimOf(good2, "demo-dvpp", (byte) 1));
      awaitQueued(group, 3);
      group.commitQueued();
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, a.get(10, TimeUnit.SECONDS));
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, c.get(10, TimeUnit.SECONDS));
      ExecutionException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> b.get(10, TimeUnit.SECONDS));
      assertInstanceOf(SQLException.class, refused.getCause());
      assertEquals("accepting", state(good1));
      assertEquals("accepting", state(good2));
      assertEquals(null, state(bad));
    }
  }

  @Test
  void aSuspendedSenderIsRefusedInsideTheClaimTransaction() throws Exception {
    statuses.set("demo-dvpp", AgencyStatus.SUSPENDED, "test-operator");
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      UUID refused = UUID.randomUUID();
      UUID accepted = UUID.randomUUID();
      assertInstanceOf(
          ReceiptStore.Claim.SenderSuspended.class,
          group.claim(claimOf(refused, "demo-dvpp", (byte) 1)));
      assertInstanceOf(
          ReceiptStore.Claim.Claimed.class, group.claim(claimOf(accepted, "demo-iss", (byte) 1)));
      assertEquals(null, state(refused), "no receipt for a suspended sender");
      statuses.set("demo-dvpp", AgencyStatus.ACTIVE, "test-operator");
      assertInstanceOf(
          ReceiptStore.Claim.Claimed.class,
          group.claim(claimOf(refused, "demo-dvpp", (byte) 1)),
          "reinstated: accepted again");
    }
  }

  @Test
  void aConfirmationTwiceAuditsOnce() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      UUID id = UUID.randomUUID();
      group.claim(claimOf(id, "demo-dvpp", (byte) 1));
      group.confirm(new ReceiptStore.ConfirmRequest(id, null, List.of(accepted(id))));
      group.confirm(new ReceiptStore.ConfirmRequest(id, null, List.of(accepted(id))));
      assertEquals(1, log.query(AuditLog.Filter.all().limit(10)).events().size());
      assertInstanceOf(
          ReceiptStore.Claim.Replay.class, group.claim(claimOf(id, "demo-dvpp", (byte) 1)));
    }
  }

  @Test
  void aClaimWhoseCallerStoppedWaitingIsNotTakenLater() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 200, false)) {
      UUID abandoned = UUID.randomUUID();
      Future<ReceiptStore.Claim> waiting =
          submitClaim(group, claimOf(abandoned, "demo-dvpp", (byte) 1));
      ExecutionException gaveUp =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
      assertInstanceOf(SQLException.class, gaveUp.getCause(), "the caller answers 503");
      UUID fresh = UUID.randomUUID();
      Future<ReceiptStore.Claim> next = submitClaim(group, claimOf(fresh, "demo-dvpp", (byte) 1));
      awaitQueued(group, 2);
      group.commitQueued();
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, next.get(10, TimeUnit.SECONDS));
      assertEquals(null, state(abandoned), "no receipt left behind for a publish that was refused");
      assertEquals("accepting", state(fresh));
    }
  }

  @Test
  void aConfirmationWhoseCallerStoppedWaitingIsStillMade() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 200, false)) {
      UUID id = UUID.randomUUID();
      Future<ReceiptStore.Claim> claim = submitClaim(group, claimOf(id, "demo-dvpp", (byte) 1));
      awaitQueued(group, 1);
      group.commitQueued();
      assertInstanceOf(ReceiptStore.Claim.Claimed.class, claim.get(10, TimeUnit.SECONDS));
      Future<?> confirm =
          callers.submit(
              () -> {
                group.confirm(new ReceiptStore.ConfirmRequest(id, null, List.of(accepted(id))));
                return null;
              });
      ExecutionException gaveUp =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> confirm.get(10, TimeUnit.SECONDS));
      assertInstanceOf(SQLException.class, gaveUp.getCause());
      group.commitQueued();
      assertEquals(
          "accepted", state(id), "the message is in Kafka: its receipt is final all the same");
      assertEquals(1, log.query(AuditLog.Filter.all().limit(10)).events().size());
    }
  }

  @Test
  void theCommittingThreadIsAliveUntilClosedAndThenRequestsFailAsUnavailable() {
    GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000);
    assertTrue(group.alive());
    group.close();
    assertTrue(!group.alive());
    org.junit.jupiter.api.Assertions.assertThrows(
        SQLException.class, () -> group.claim(claimOf(UUID.randomUUID(), "demo-dvpp", (byte) 1)));
  }

  private Future<ReceiptStore.Claim> submitClaim(
      GroupCommit group, ReceiptStore.ClaimRequest request) {
    Callable<ReceiptStore.Claim> call = () -> group.claim(request);
    return callers.submit(call);
  }

  private static void awaitQueued(GroupCommit group, int n) {
    // waiting for other threads to enqueue; no timing is asserted
    Awaitility.await("requests queued")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> group.queued() >= n);
  }

  private static ReceiptStore.ClaimRequest claimOf(UUID id, String sender, byte content) {
    return claimOf(id, sender, content, List.of("demo-iss"));
  }

  private static ReceiptStore.ClaimRequest claimOf(
      UUID id, String sender, byte content, List<String> pending) {
    return new ReceiptStore.ClaimRequest(
        id,
        new ReceiptStore.Facts(
            sender,
            new byte[] {content},
            "attendance",
            "CASE-1",
            LegalBasis.CONSENT,
            List.of("S-1")),
        NOW,
        pending);
  }

  private static AuditEvent accepted(UUID id) {
    return AuditEvent.builder(AuditAction.PUBLISH_ACCEPTED, NOW)
        .actor("demo-dvpp", "demo-dvpp-publisher")
        .message(id, "attendance", "CASE-1")
        .legalBasis("consent", null)
        .build();
  }

  private String state(UUID id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select state from receipt where message_id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private List<String> pendingRecipients(UUID id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select recipient from delivery where message_id = ? and state = 'pending' order by recipient")) {
      ps.setObject(1, id);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }
}
