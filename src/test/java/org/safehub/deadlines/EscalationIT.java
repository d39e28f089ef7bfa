package org.safehub.deadlines;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.deadlines.EscalationSupport.ack;
import static org.safehub.deadlines.EscalationSupport.events;
import static org.safehub.deadlines.EscalationSupport.notices;
import static org.safehub.deadlines.EscalationSupport.open;
import static org.safehub.deadlines.EscalationSupport.publish;
import static org.safehub.deadlines.EscalationSupport.recipient;
import static org.safehub.deadlines.EscalationSupport.states;
import static org.safehub.deadlines.EscalationSupport.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.crypto.CopySealer;
import org.safehub.delivery.DeadlineStore;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.pipeline.DeadlineEscalator;
import org.safehub.pipeline.EscalationRelay;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * Missed deadlines escalate (issue 13), on the real stack with the hub's clock moved by hand: the
 * sender is told, the MASH of the message's area is told once per repeat interval until the copy is
 * acknowledged, every step is audited, and each miss is escalated once whatever the number of
 * instances or restarts.
 */
@QuarkusTest
class EscalationIT {

  private static final Set<String> NOTICE_FIELDS =
      Set.of(
          "notice",
          "caseRef",
          "messageId",
          "type",
          "priority",
          "overdueAgency",
          "deadline",
          "lateBy",
          "sender",
          "round");

  @Inject DataSource ds;
  @Inject DeadlineEscalator escalator;
  @Inject Scheduler scheduler;
  @Inject Deadlines deadlines;
  @Inject AgencyDirectory agencies;
  @Inject AgencyStatusStore agencyStatuses;
  @Inject AgencyKeyDirectory keys;
  @Inject CopySealer sealer;
  @Inject StrictJson json;
  @Inject AuditTrail trail;
  @Inject Topics topics;
  @Inject KafkaClients kafka;
  @Inject MeterRegistry metrics;

  @AfterEach
  void clockBackAndHubUp() {
    TestClocks.reset();
    scheduler.resume(DeadlineEscalator.SCHEDULE);
  }

  @Test
  void immediateAlertUnacknowledgedForItsHourIsEscalatedToMashEachHourUntilAcknowledged()
      throws Exception {
    // Given an immediate child-protection alert delivered to Children's Services and the MASH
    String id = immediateAlert();
    JsonPath st = status("demo-iss", id);
    Instant accepted = Instant.parse(st.getString("receivedAt"));
    Instant deadline = Instant.parse(recipient(st, "demo-cs").get("deadline").toString());
    assertEquals(accepted.plus(Duration.ofHours(1)), deadline);
    // and the MASH acknowledges its own copy ten minutes in
    TestClocks.CLOCK.now = accepted.plus(Duration.ofMinutes(10));
    ack("demo-mash", id);

    // When the hour passes with Children's Services' copy unacknowledged
    TestClocks.CLOCK.now = deadline.plusSeconds(1);

    // Then (the hub's own poll) the miss is recorded once, the sender told, the MASH told
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> notices("demo-mash", "deadline-escalation", id).size() == 1);
    assertEquals("overdue", recipient(status("demo-iss", id), "demo-cs").get("state"));
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(0, events(ds, "deadline-missed", id, "demo-mash"), "the MASH acknowledged");
    // the sender's notice: sealed for it, content-free
    List<JsonNode> missed =
        notices("demo-iss", "deadline-missed", id).stream().map(r -> open("demo-iss", r)).toList();
    assertEquals(1, missed.size());
    assertEquals("demo-cs", missed.get(0).path("overdueAgency").asText());
    assertContentFree(missed.get(0));
    // the MASH's notice names case, message, type, priority, the overdue agency and how late
    JsonNode escalation = open("demo-mash", notices("demo-mash", "deadline-escalation", id).get(0));
    assertEquals(ALERT_CASE, escalation.path("caseRef").asText());
    assertEquals(id, escalation.path("messageId").asText());
    assertEquals("child-protection-alert", escalation.path("type").asText());
    assertEquals("immediate", escalation.path("priority").asText());
    assertEquals("demo-cs", escalation.path("overdueAgency").asText());
    assertEquals("PT1S", escalation.path("lateBy").asText());
    assertEquals(0, escalation.path("round").asInt());
    assertContentFree(escalation);

    // When another poll runs within the hour, and again at 59 minutes
    escalator.poll();
    TestClocks.CLOCK.now = deadline.plus(Duration.ofMinutes(59));
    escalator.poll();
    // Then nothing more is sent
    assertEquals(1, notices("demo-mash", "deadline-escalation", id).size());

    // When the repeat interval (an hour) passes still unacknowledged
    TestClocks.CLOCK.now = deadline.plus(Duration.ofHours(1)).plusSeconds(2);
    // Then the MASH is told again, once; the miss is still recorded once
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> notices("demo-mash", "deadline-escalation", id).size() == 2);
    escalator.poll();
    assertEquals(2, notices("demo-mash", "deadline-escalation", id).size());
    assertEquals(2, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, notices("demo-iss", "deadline-missed", id).size());

    // When Children's Services acknowledges, and hours pass
    ack("demo-cs", id);
    TestClocks.CLOCK.now = deadline.plus(Duration.ofHours(5));
    escalator.poll();
    // Then the escalation has stopped, and the acknowledgement is recorded as late
    assertEquals(2, notices("demo-mash", "deadline-escalation", id).size());
    assertEquals(2, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(
        Boolean.TRUE, recipient(status("demo-iss", id), "demo-cs").get("acknowledgedLate"));
    assertNull(nextAt(id, "demo-cs"));
  }

  @Test
  void escalationRepeatsAtMostMaxRepeatsTimes() throws Exception {
    // Given an immediate alert nobody at Children's Services acknowledges (shipped: PT1H, 3
    // repeats)
    String id = immediateAlert();
    Instant deadline = deadlineOf(id, "demo-cs");
    // When ten hours pass, the clock stopping at each hour
    for (int h = 0; h < 10; h++) {
      TestClocks.CLOCK.now = deadline.plus(Duration.ofHours(h)).plusSeconds(1);
      escalator.poll();
    }
    // Then the MASH was told four times (the miss, then three repeats), and no more is due
    assertEquals(4, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(4, notices("demo-mash", "deadline-escalation", id).size());
    assertNull(nextAt(id, "demo-cs"));
  }

  @Test
  void twoInstancesEscalateEachMissOnce() throws Exception {
    // Given this hub's own poll stopped, and eight immediate alerts past their deadline
    scheduler.pause(DeadlineEscalator.SCHEDULE);
    List<String> ids = new ArrayList<>();
    Instant latest = Instant.EPOCH;
    for (int i = 0; i < 8; i++) {
      String id = immediateAlert();
      ids.add(id);
      Instant d = deadlineOf(id, "demo-cs");
      latest = d.isAfter(latest) ? d : latest;
    }
    TestClocks.CLOCK.now = latest.plusSeconds(1);
    // When two escalator instances on the same database poll at once, two copies a look
    DeadlineEscalator a = instance("it-a", 2);
    DeadlineEscalator b = instance("it-b", 2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (DeadlineEscalator e : List.of(a, b)) {
        runs.add(
            pool.submit(
                () -> {
                  int total = 0;
                  for (int n = e.poll(); n > 0; n = e.poll()) {
                    total += n;
                  }
                  return total;
                }));
      }
      for (Future<Integer> f : runs) {
        f.get();
      }
      a.poll();
      b.poll();
    } finally {
      pool.shutdownNow();
      a.closeProducer();
      b.closeProducer();
    }
    // Then each miss was recorded once and escalated once, whichever instance took it
    for (String id : ids) {
      assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"), id);
      assertEquals(1, events(ds, "deadline-missed", id, "demo-mash"), id);
      assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"), id);
      assertEquals(1, notices("demo-mash", "deadline-escalation", id).size(), id);
      assertEquals(2, notices("demo-iss", "deadline-missed", id).size(), id);
    }
  }

  @Test
  void deadlineCrossedWhileTheHubIsDownIsEscalatedOnceAfterRestart() throws Exception {
    // Given an immediate alert delivered, the MASH's copy acknowledged
    String id = immediateAlert();
    ack("demo-mash", id);
    Instant deadline = deadlineOf(id, "demo-cs");
    // When the hub's escalation is down while its deadline and three repeat intervals pass
    scheduler.pause(DeadlineEscalator.SCHEDULE);
    TestClocks.CLOCK.now = deadline.plus(Duration.ofMinutes(210));
    assertEquals("overdue", recipient(status("demo-iss", id), "demo-cs").get("state"));
    assertEquals(0, events(ds, "deadline-missed", id, "demo-cs"), "nobody escalated while down");
    // and a hub starts again (a new escalator: everything it knows is in PostgreSQL)
    DeadlineEscalator restarted = instance("it-restarted", 100);
    try {
      while (restarted.poll() > 0) {
        // until nothing is due
      }
    } finally {
      restarted.closeProducer();
    }
    scheduler.resume(DeadlineEscalator.SCHEDULE);
    escalator.poll();
    // Then the miss is escalated once, late, not once per interval it slept through
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"));
    List<JsonNode> sent =
        notices("demo-mash", "deadline-escalation", id).stream()
            .map(r -> open("demo-mash", r))
            .toList();
    assertEquals(1, sent.size());
    assertEquals("PT3H30M", sent.get(0).path("lateBy").asText());
    // and the next repeat counts from the restart
    assertEquals(TestClocks.CLOCK.now.plus(Duration.ofHours(1)), nextAt(id, "demo-cs"));
  }

  @Test
  void escalationToASuspendedMashIsWithheldAndAuditedAndASuspendedRecipientIsNotEscalated()
      throws Exception {
    // Given an immediate alert delivered to Children's Services and the MASH, then the MASH
    // suspended
    String id = immediateAlert();
    Instant deadline = deadlineOf(id, "demo-cs");
    setStatus("demo-mash", "suspend");
    try {
      // When the deadline passes with neither copy acknowledged
      TestClocks.CLOCK.now = deadline.plusSeconds(1);
      escalator.poll();
      // Then Children's Services' miss is recorded, but the notice to the suspended MASH is
      // withheld and audited, never sent
      assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
      assertEquals(1, notices("demo-iss", "deadline-missed", id).size());
      assertEquals(0, events(ds, "deadline-escalated", id, "demo-mash"));
      assertEquals(1, withheldNotices(id, "demo-mash", "deadline-escalation"));
      assertEquals(0, notices("demo-mash", "deadline-escalation", id).size());
      // and the suspended MASH's own copy has no deadline any more: its miss is not escalated
      assertEquals(0, events(ds, "deadline-missed", id, "demo-mash"));
      assertNull(nextAt(id, "demo-mash"));
    } finally {
      setStatus("demo-mash", "reinstate");
    }
  }

  @Test
  void idlePollReadsOnlyThePartialIndexOfCopiesStillWatched() throws Exception {
    // Given 100,000 copies whose escalation is over (in a transaction rolled back afterwards)
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "insert into copy_deadline (message_id, recipient, sender, message_type, priority, area,"
                + " case_ref, accepted_at, deadline, next_at, escalations)"
                + " select gen_random_uuid(), 'plan-' || g, 'demo-iss', 'attendance', 'immediate',"
                + " 'E08000026', 'CASE-PLAN', now(), now(), null, 1 from generate_series(1, 100000) g");
        st.execute("analyze copy_deadline");
        // When the escalator's poll is planned
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("explain " + DeadlineStore.CLAIM)) {
          ps.setTimestamp(1, Timestamp.from(TestClocks.CLOCK.now));
          ps.setInt(2, 100);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              plan.append(rs.getString(1)).append('\n');
            }
          }
        }
        // Then it reads the partial index of copies still watched, not the table
        assertTrue(plan.toString().contains("copy_deadline_due"), plan.toString());
        assertFalse(plan.toString().contains("Seq Scan on copy_deadline"), plan.toString());
      } finally {
        c.rollback();
      }
    }
  }

  private static void setStatus(String agency, String change) {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-admin"))
        .post("/api/v1/admin/agencies/" + agency + "/" + change)
        .then()
        .statusCode(200);
  }

  private long withheldNotices(String id, String recipient, String kind) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from audit_event where action = 'withheld' and message_id = ?"
                    + " and recipient = ? and event_json like ? and event_json like '%agency-suspended%'")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, recipient);
      ps.setString(3, "%\"notice\":\"" + kind + "\"%");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static final String ALERT_CASE = "CASE-ESC-0001";

  private String immediateAlert() {
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    msg.put("caseRef", ALERT_CASE); // on no case the hub knows: routing as without cases
    String id = publish("demo-iss", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var s = states(status("demo-iss", id));
              return s.size() == 2 && s.values().stream().allMatch("delivered"::equals);
            });
    return id;
  }

  private static Instant deadlineOf(String id, String agency) {
    return Instant.parse(recipient(status("demo-iss", id), agency).get("deadline").toString());
  }

  private Instant nextAt(String id, String recipient) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select next_at from copy_deadline where message_id = ? and recipient = ?")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, recipient);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no deadline row");
        return rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant();
      }
    }
  }

  /** Another instance's escalator on the same database and Kafka, with a relay of its own. */
  private DeadlineEscalator instance(String name, int maxPerPoll) {
    return new DeadlineEscalator(
        ds,
        TestClocks.CLOCK,
        deadlines,
        agencies,
        agencyStatuses,
        keys,
        sealer,
        json.mapper(),
        trail,
        topics,
        new EscalationRelay(ds, topics, kafka, 30_000, name),
        maxPerPoll,
        metrics);
  }

  private static void assertContentFree(JsonNode notice) {
    Set<String> fields = new HashSet<>();
    notice.fieldNames().forEachRemaining(fields::add);
    assertTrue(NOTICE_FIELDS.containsAll(fields), "unexpected fields " + fields);
    String text = notice.toString();
    for (String content : List.of("Sam Example", "Example Street", "Example Primary", "SUBJ-")) {
      assertFalse(text.contains(content), "notice carries content: " + content);
    }
  }
}
