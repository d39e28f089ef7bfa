package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.deadlines.EscalationSupport.ack;
import static org.safehub.deadlines.EscalationSupport.events;
import static org.safehub.deadlines.EscalationSupport.notices;
import static org.safehub.deadlines.EscalationSupport.open;
import static org.safehub.deadlines.EscalationSupport.publish;
import static org.safehub.deadlines.EscalationSupport.recipient;
import static org.safehub.deadlines.EscalationSupport.states;
import static org.safehub.deadlines.EscalationSupport.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.crypto.CopySealer;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.pipeline.DeadlineEscalator;
import org.safehub.pipeline.EscalationRelay;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * Each escalation notice reaches its recipient's delivery topic exactly once, whatever point the
 * hub crashes at (issue 13): the round is decided and its sealed notices stored in one PostgreSQL
 * transaction, and the relay sends them with a marker of how far it got in one Kafka transaction.
 * Real Kafka and PostgreSQL; the hub's clock moved by hand; the hub's own poll paused, so the
 * escalators here are the only ones running.
 */
@QuarkusTest
class ExactlyOnceEscalationIT {

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

  @BeforeEach
  void hubsOwnPollPaused() {
    scheduler.pause(DeadlineEscalator.SCHEDULE);
  }

  @AfterEach
  void clockBackAndHubUp() {
    TestClocks.reset();
    scheduler.resume(DeadlineEscalator.SCHEDULE);
  }

  @Test
  void crashBetweenTheRelaysKafkaCommitAndItsCleanUpSendsEachNoticeOnce() throws Exception {
    // Given an immediate alert Children's Services has not acknowledged past its deadline
    String id = overdueAlert();
    // When a hub escalates it and crashes right after its relay's Kafka commit, before the
    // PostgreSQL clean-up (its producer closed abruptly, the clean-up never committed)
    AtomicBoolean crashed = new AtomicBoolean();
    DeadlineEscalator crashing =
        instance(
            new EscalationRelay(
                ds,
                topics,
                () -> crashingAfterCommit(crashed),
                () -> kafka.consumer("it-crashing-relay", null, 100)));
    try {
      assertThrows(IllegalStateException.class, crashing::poll);
    } finally {
      crashing.closeProducer();
    }
    assertTrue(crashed.get(), "the relay's Kafka transaction committed");
    // the notices are on the topics, and still in the outbox: the crash window itself
    assertEquals(1, notices("demo-mash", "deadline-escalation", id).size());
    assertEquals(1, notices("demo-iss", "deadline-missed", id).size());
    assertEquals(2, outboxRows(id));

    // and a fresh hub's escalator starts (a new relay: new producer, same transactional id)
    DeadlineEscalator fresh = instance(new EscalationRelay(ds, topics, kafka, 30_000, "it-fresh"));
    try {
      while (fresh.poll() > 0) {
        // until nothing is due
      }
      fresh.poll();
    } finally {
      fresh.closeProducer();
    }
    // and the hub's own escalator looks again
    escalator.poll();

    // Then each notice is on its recipient's topic once, the round audited once per recipient
    assertExactlyOnce(id);
  }

  @Test
  void crashBetweenTheRoundsCommitAndTheRelaySendsEachNoticeOnceLater() throws Exception {
    // Given an immediate alert Children's Services has not acknowledged past its deadline
    String id = overdueAlert();
    // When a hub decides the round and commits it, then stops before any relay runs (its Kafka
    // producer never comes up)
    DeadlineEscalator cutOff =
        instance(
            new EscalationRelay(
                ds,
                topics,
                () -> {
                  throw new KafkaException("the hub stopped before its relay ran");
                },
                () -> kafka.consumer("it-cut-off-relay", null, 100)));
    assertThrows(KafkaException.class, cutOff::poll);
    cutOff.closeProducer();
    // the round is recorded, its sealed notices wait in the outbox, none is on a topic yet
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(2, outboxRows(id));
    assertEquals(0, notices("demo-mash", "deadline-escalation", id).size());
    assertEquals(0, notices("demo-iss", "deadline-missed", id).size());

    // and later a hub's relay runs (another instance's look), then the hub's own, twice
    DeadlineEscalator later = instance(new EscalationRelay(ds, topics, kafka, 30_000, "it-later"));
    try {
      later.poll();
    } finally {
      later.closeProducer();
    }
    escalator.poll();
    escalator.poll();

    // Then each notice was sent once, and the round is still audited once
    assertExactlyOnce(id);
  }

  private void assertExactlyOnce(String id) throws Exception {
    List<ConsumerRecord<String, byte[]>> escalations =
        notices("demo-mash", "deadline-escalation", id);
    List<ConsumerRecord<String, byte[]>> missed = notices("demo-iss", "deadline-missed", id);
    assertEquals(1, escalations.size(), "escalation notices to the MASH");
    assertEquals(1, missed.size(), "deadline-missed notices to the sender");
    assertEquals(1, events(ds, "deadline-missed", id, "demo-cs"));
    assertEquals(1, events(ds, "deadline-escalated", id, "demo-mash"));
    assertEquals(0, events(ds, "deadline-missed", id, "demo-mash"), "the MASH acknowledged");
    assertEquals(0, outboxRows(id), "the outbox cleaned up");
    // sealed for their recipients as before, each with its own notice id
    assertEquals("demo-cs", open("demo-mash", escalations.get(0)).path("overdueAgency").asText());
    assertEquals("demo-cs", open("demo-iss", missed.get(0)).path("overdueAgency").asText());
    assertNotNull(DeliveryTopics.header(escalations.get(0), "safehub-notice-id"));
    assertNotNull(DeliveryTopics.header(missed.get(0), "safehub-notice-id"));
  }

  /** An immediate alert, the MASH's copy acknowledged, the clock past Children's Services'. */
  private String overdueAlert() {
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    msg.put("caseRef", "CASE-ESC-ONCE");
    String id = publish("demo-iss", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var s = states(status("demo-iss", id));
              return s.size() == 2 && s.values().stream().allMatch("delivered"::equals);
            });
    ack("demo-mash", id);
    Instant deadline =
        Instant.parse(recipient(status("demo-iss", id), "demo-cs").get("deadline").toString());
    TestClocks.CLOCK.now = deadline.plusSeconds(1);
    return id;
  }

  /**
   * The relay's producer (its one transactional id) on a hub that dies the moment its Kafka commit
   * returns.
   */
  private KafkaProducer<String, byte[]> crashingAfterCommit(AtomicBoolean crashed) {
    Map<String, Object> c = new HashMap<>(kafka.adminConfig());
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, EscalationRelay.transactionalId(topics));
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(c) {
      @Override
      public void commitTransaction() {
        super.commitTransaction();
        crashed.set(true);
        throw new IllegalStateException("hub crashed after the Kafka commit");
      }
    };
  }

  private long outboxRows(String id) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select count(*) from escalation_outbox where message_id = ?")) {
      ps.setObject(1, UUID.fromString(id));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private DeadlineEscalator instance(EscalationRelay relay) {
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
        relay,
        100,
        metrics);
  }
}
