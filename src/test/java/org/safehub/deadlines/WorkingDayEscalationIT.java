package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.safehub.deadlines.EscalationSupport.events;
import static org.safehub.deadlines.EscalationSupport.notices;
import static org.safehub.deadlines.EscalationSupport.recipient;
import static org.safehub.deadlines.EscalationSupport.states;
import static org.safehub.deadlines.EscalationSupport.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.safehub.crypto.AtRestSealer;
import org.safehub.envelope.InboundRecord;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.pipeline.DeadlineEscalator;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.validation.StrictJson;

/**
 * {@code end-of-next-working-day} on the real stack: a message the hub accepted on the Friday
 * afternoon before the August bank holiday is due on Tuesday at 17:00 London time, and is escalated
 * then, not on the holiday Monday. The hub takes a message's accepted time from the wall clock, so
 * the test puts the message on the inbound topic itself (sealed for the hub, as ingress does, with
 * its receipt) accepted at that Friday 16:00; routing, delivery, deadline and escalation are the
 * hub's.
 */
@QuarkusTest
class WorkingDayEscalationIT {

  /** Friday 28 August 2026, 16:00 BST; Monday 31 August is the summer bank holiday. */
  private static final Instant FRIDAY_4PM = Instant.parse("2026-08-28T15:00:00Z");

  /** Tuesday 1 September 2026, 17:00 BST. */
  private static final Instant TUESDAY_5PM = Instant.parse("2026-09-01T16:00:00Z");

  @Inject DataSource ds;
  @Inject DeadlineEscalator escalator;
  @Inject AtRestSealer atRest;
  @Inject Topics topics;
  @Inject StrictJson json;

  @Inject
  @Identifier(KafkaClients.INGRESS_PRODUCER)
  KafkaProducer<String, byte[]> producer;

  @AfterEach
  void clockBack() {
    TestClocks.reset();
  }

  @Test
  void urgentReferralAcceptedFridayBeforeBankHolidayIsDueTuesdayAtFiveAndEscalatedOnlyThen()
      throws Exception {
    // Given an urgent child-protection alert accepted on Friday 28 August 2026 at 16:00
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "urgent");
    TestMessages.withRecipients(msg, "demo-cs", "demo-mash");
    String id = msg.get("messageId").asText();
    TestClocks.CLOCK.now = FRIDAY_4PM;
    acceptedAt(msg, "demo-iss", FRIDAY_4PM);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertEquals(
                    Map.of("demo-cs", "delivered", "demo-mash", "delivered"),
                    states(status("demo-iss", id))));
    // Then each copy is due on Tuesday 1 September at 17:00 (not Monday, a bank holiday)
    for (String agency : new String[] {"demo-cs", "demo-mash"}) {
      assertEquals(
          TUESDAY_5PM.toString(),
          recipient(status("demo-iss", id), agency).get("deadline").toString(),
          agency);
    }
    // When the hub's clock stands at the end of the holiday Monday, and a second before the
    // deadline
    for (Instant t :
        new Instant[] {Instant.parse("2026-08-31T16:00:01Z"), TUESDAY_5PM.minusSeconds(1)}) {
      TestClocks.CLOCK.now = t;
      escalator.poll();
      // Then nothing is overdue or escalated
      assertEquals("delivered", recipient(status("demo-iss", id), "demo-cs").get("state"));
      assertEquals(0, events(ds, "deadline-missed", id, "demo-cs"));
    }
    // When the deadline passes
    TestClocks.CLOCK.now = TUESDAY_5PM.plusSeconds(1);
    escalator.poll();
    // Then both misses are recorded, and the MASH is told of Children's Services' once
    assertEquals("overdue", recipient(status("demo-iss", id), "demo-cs").get("state"));
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, events(ds, "deadline-missed", id, "demo-mash"));
    assertEquals(1, notices("demo-mash", "deadline-escalation", id).size());
    // and, urgent having no repeat interval, never again
    TestClocks.CLOCK.now = TUESDAY_5PM.plus(Duration.ofDays(2));
    escalator.poll();
    assertEquals(1, notices("demo-mash", "deadline-escalation", id).size());
    assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"));
  }

  /** Does what ingress does for an accepted message, with {@code at} as its accepted time. */
  private void acceptedAt(ObjectNode msg, String sender, Instant at) throws Exception {
    String id = msg.get("messageId").asText();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into receipt (message_id, sender, content_hash, message_type, case_ref, received_at, state,"
                    + " legal_basis, subject_refs) values (?, ?, ?, ?, ?, ?, 'accepted', ?, ?)")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, sender);
      ps.setBytes(3, new byte[32]);
      ps.setString(4, msg.get("type").asText());
      ps.setString(5, msg.get("caseRef").asText());
      ps.setTimestamp(6, Timestamp.from(at));
      ps.setString(7, msg.path("legalBasis").path("basis").asText());
      ps.setArray(8, c.createArrayOf("text", new String[0]));
      ps.executeUpdate();
    }
    byte[] record =
        atRest.seal(
            new InboundRecord(sender, at, msg).encode(json.mapper()),
            AtRestSealer.aad(topics.inbound(), id.getBytes(StandardCharsets.UTF_8)));
    producer.send(new ProducerRecord<>(topics.inbound(), id, record)).get(30, TimeUnit.SECONDS);
  }
}
