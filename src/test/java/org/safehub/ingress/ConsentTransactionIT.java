package org.safehub.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
import org.safehub.consent.ConsentChange;
import org.safehub.consent.ConsentRegistry;
import org.safehub.envelope.LegalBasis;
import org.safehub.kafka.Topics;
import org.safehub.trail.AuditTrail;

/**
 * A consent change takes effect only with its message, in the order the hub accepts messages, and a
 * withdrawal cannot slip past a pipeline batch that is sealing copies under the consent it
 * withdraws: against a real PostgreSQL with the hub's migrations. The registry is shared by every
 * hub instance, so what holds here holds across instances.
 */
class ConsentTransactionIT {

  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

  private DataSource db;
  private AuditLog log;
  private AgencyStatusStore statuses;
  private ReceiptStore receipts;
  private ConsentRegistry registry;
  private AuditTrail trail;
  private final ExecutorService callers = Executors.newFixedThreadPool(4);

  @BeforeEach
  void freshDatabase() {
    db = AuditDatabase.fresh();
    log = new AuditLog(db, AuditDatabase.p256(), AuditLog.Settings.defaults());
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
    registry = new ConsentRegistry(db);
    receipts = new ReceiptStore(db, registry, trail);
  }

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

  @Test
  void aWithdrawalAcceptedAfterAGrantWinsThoughItWasReceivedFirst() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      String subject = "S-" + UUID.randomUUID();
      UUID withdrawal = UUID.randomUUID();
      UUID grant = UUID.randomUUID();
      // the withdrawal is received first, then a grant; the grant is accepted first, then the
      // withdrawal
      claimed(group, withdrawal);
      claimed(group, grant);
      group.confirm(confirmOf(grant, change(grant, subject, ConsentChange.Kind.GRANTED, "victim")));
      assertEquals("granted", status(subject));
      group.confirm(
          confirmOf(
              withdrawal, change(withdrawal, subject, ConsentChange.Kind.WITHDRAWN, "victim")));
      // the withdrawal was accepted last: it wins, and the history numbers the changes in that
      // order
      assertEquals("withdrawn", status(subject));
      assertTrue(seq(withdrawal) > seq(grant), "accept order numbers the changes");
    }
  }

  @Test
  void aConsentChangeWhoseMessageWasGivenBackChangesNothing() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      String subject = "S-" + UUID.randomUUID();
      UUID grant = UUID.randomUUID();
      claimed(group, grant);
      group.confirm(confirmOf(grant, change(grant, subject, ConsentChange.Kind.GRANTED, "victim")));
      // a withdrawal claimed, then refused (Kafka did not take it: the publisher gets 503 and the
      // claim is given back)
      UUID withdrawal = UUID.randomUUID();
      claimed(group, withdrawal);
      assertEquals("granted", status(subject), "a claim alone changes nothing");
      receipts.release(withdrawal);
      assertThrows(
          SQLException.class,
          () ->
              group.confirm(
                  confirmOf(
                      withdrawal,
                      change(withdrawal, subject, ConsentChange.Kind.WITHDRAWN, "victim"))));
      assertEquals("granted", status(subject));
      assertEquals(List.of(grant), auditedMessages());
    }
  }

  @Test
  void aConsentChangeWhoseCallerStoppedWaitingIsNeverApplied() throws Exception {
    String subject = "S-" + UUID.randomUUID();
    UUID withdrawal = UUID.randomUUID();
    try (GroupCommit claiming = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      claimed(claiming, withdrawal);
    }
    // a group that takes nothing until told to, and callers that wait 200 ms
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 200, false)) {
      Future<?> confirm =
          callers.submit(
              () -> {
                group.confirm(
                    confirmOf(
                        withdrawal,
                        change(withdrawal, subject, ConsentChange.Kind.WITHDRAWN, "victim")));
                return null;
              });
      ExecutionException gaveUp =
          assertThrows(ExecutionException.class, () -> confirm.get(10, TimeUnit.SECONDS));
      assertInstanceOf(SQLException.class, gaveUp.getCause(), "the caller answers 503");
      group.commitQueued();
      assertEquals(
          null, status(subject), "a change its publisher was told failed never takes effect");
      assertEquals("accepting", state(withdrawal));
      assertEquals(List.of(), auditedMessages());
    }
  }

  @Test
  void aChangeGivingTheSubjectAnotherRoleFailsAloneWithNothingOfItCommitted() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000, false)) {
      String subject = "S-" + UUID.randomUUID();
      UUID grant = UUID.randomUUID();
      UUID relabel = UUID.randomUUID();
      UUID other = UUID.randomUUID();
      for (UUID id : List.of(grant, relabel, other)) {
        Future<ReceiptStore.Claim> c = callers.submit(() -> group.claim(claimOf(id)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> group.queued() == 1);
        group.commitQueued();
        c.get(10, TimeUnit.SECONDS);
      }
      Future<?> g =
          callers.submit(
              () -> {
                group.confirm(
                    confirmOf(grant, change(grant, subject, ConsentChange.Kind.GRANTED, "victim")));
                return null;
              });
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> group.queued() == 1);
      group.commitQueued();
      g.get(10, TimeUnit.SECONDS);
      // one group: a change calling the victim a child, and an unrelated confirmation
      Future<?> bad =
          callers.submit(
              () -> {
                group.confirm(
                    confirmOf(
                        relabel, change(relabel, subject, ConsentChange.Kind.WITHDRAWN, "child")));
                return null;
              });
      Future<?> good =
          callers.submit(
              () -> {
                group.confirm(confirmOf(other, null));
                return null;
              });
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> group.queued() == 2);
      group.commitQueued();
      good.get(10, TimeUnit.SECONDS);
      ExecutionException refused =
          assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
      assertInstanceOf(ConsentRegistry.RoleConflict.class, refused.getCause());
      assertEquals("granted", status(subject));
      assertEquals("accepting", state(relabel), "its receipt was not made final");
      assertFalse(auditedMessages().contains(relabel), "nor its audit event recorded");
      assertTrue(auditedMessages().contains(other));
    }
  }

  @Test
  void aWithdrawalWaitsForABatchSealingUnderTheConsentAndABatchAfterItSeesIt() throws Exception {
    try (GroupCommit group = new GroupCommit(db, receipts, statuses, trail, 10_000)) {
      String subject = "S-" + UUID.randomUUID();
      UUID grant = UUID.randomUUID();
      claimed(group, grant);
      group.confirm(confirmOf(grant, change(grant, subject, ConsentChange.Kind.GRANTED, "victim")));
      UUID withdrawal = UUID.randomUUID();
      claimed(group, withdrawal);
      Future<?> accepted;
      // a pipeline batch has read the consent and is sealing copies under it (until its Kafka
      // commit)
      try (ConsentRegistry.DeliveryLock batch = registry.lockForDelivery(List.of(subject))) {
        assertTrue(batch.records().get(subject).granted());
        accepted =
            callers.submit(
                () -> {
                  group.confirm(
                      confirmOf(
                          withdrawal,
                          change(withdrawal, subject, ConsentChange.Kind.WITHDRAWN, "victim")));
                  return null;
                });
        // the withdrawal is not accepted (no 202) while the batch may still commit copies under the
        // grant
        Awaitility.await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(3))
            .until(() -> !accepted.isDone());
      }
      accepted.get(10, TimeUnit.SECONDS);
      assertEquals("withdrawn", status(subject));
      // and a batch that checks after the 202 sees the withdrawal
      try (ConsentRegistry.DeliveryLock batch = registry.lockForDelivery(List.of(subject))) {
        assertFalse(batch.records().get(subject).granted());
      }
    }
  }

  private void claimed(GroupCommit group, UUID id) throws SQLException {
    assertInstanceOf(ReceiptStore.Claim.Claimed.class, group.claim(claimOf(id)));
  }

  private static ReceiptStore.ClaimRequest claimOf(UUID id) {
    return new ReceiptStore.ClaimRequest(
        id,
        new ReceiptStore.Facts(
            "demo-iss",
            new byte[] {1},
            "consent-change",
            "CASE-1",
            LegalBasis.LEGAL_OBLIGATION,
            List.of()),
        NOW,
        List.of());
  }

  private static ConsentChange change(
      UUID id, String subject, ConsentChange.Kind kind, String role) {
    return new ConsentChange(
        id,
        subject,
        role,
        kind,
        kind == ConsentChange.Kind.WITHDRAWN
            ? List.of()
            : List.of(AgencyType.of("partner-support")),
        List.of(),
        "demo-iss",
        NOW);
  }

  private static ReceiptStore.ConfirmRequest confirmOf(UUID id, ConsentChange change) {
    return new ReceiptStore.ConfirmRequest(
        id,
        change,
        List.of(
            AuditEvent.builder(AuditAction.PUBLISH_ACCEPTED, NOW)
                .actor("demo-iss", "demo-iss-publisher")
                .message(id, "consent-change", "CASE-1")
                .legalBasis("consent", null)
                .build()));
  }

  private String status(String subject) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select status from consent where subject_ref = ?")) {
      ps.setString(1, subject);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private long seq(UUID message) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select seq from consent_history where recorded_by_message = ?")) {
      ps.setObject(1, message);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "applied");
        return rs.getLong(1);
      }
    }
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

  private List<UUID> auditedMessages() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select message_id from audit_event where action = 'publish-accepted' order by seq")) {
      List<UUID> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getObject(1, UUID.class));
        }
      }
      return out;
    }
  }
}
