package org.safehub.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentNotices;
import org.safehub.consent.ConsentRegistry;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.CopyWriter;
import org.safehub.copy.Notice;
import org.safehub.copy.StageOutcome;
import org.safehub.crypto.AtRestSealer;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.envelope.InboundRecord;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.routing.Router;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * "At once, really": a withdrawal accepted while a pipeline batch is already past the consent check
 * and sealing its copies still stops them. A second pipeline (its own topics, the hub's database,
 * so it stands for another hub instance) is held mid-batch, after its consent stage passed the
 * copy, while the withdrawal is published to the running hub and answered 202.
 */
@QuarkusTest
class ConsentWithdrawnMidBatchIT {

  @Inject KafkaClients kafka;
  @Inject Router router;
  @Inject ConsentRegistry consent;
  @Inject DeliveryStatusStore statuses;
  @Inject StrictJson json;
  @Inject AtRestSealer atRest;
  @Inject AuditTrail trail;
  @Inject io.micrometer.core.instrument.MeterRegistry metrics;
  @Inject javax.sql.DataSource db;

  /** Holds the first copy it sees until released: the batch is "being sealed". */
  static final class Hold implements CopyStage {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public StageOutcome apply(Copy copy) {
      reached.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new StageOutcome.Pass(copy);
    }
  }

  /** Plain JSON copies: what is tested is whether a copy is committed, not its sealing. */
  static final class PlainWriter implements CopyWriter {
    @Override
    public String format() {
      return "plain-test";
    }

    @Override
    public byte[] write(Copy copy) {
      return copy.envelope().messageId().toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] writeNotice(Notice notice) {
      return notice.kind().getBytes(StandardCharsets.UTF_8);
    }
  }

  @Test
  void aWithdrawalAcceptedWhileABatchIsBeingSealedStopsItsCopies() throws Exception {
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    publish(
        "demo-iss",
        consentChange(
            subject, "granted", "partner-support", "childrens-services", "perpetrator-programme"));
    Topics topics = new Topics("midbatch-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(kafka.adminConfig())) {
      List<NewTopic> wanted =
          new ArrayList<>(
              List.of(
                  new NewTopic(topics.inbound(), 1, (short) 1),
                  new NewTopic(topics.deadLetter(), 1, (short) 1)));
      router
          .agencies()
          .all()
          .forEach(a -> wanted.add(new NewTopic(topics.delivery(a.id()), 1, (short) 1)));
      admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
    }
    // a consent-based risk disclosure about her, on the second pipeline's inbound topic
    ObjectNode msg = TestMessages.example("risk-disclosure");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    msg.putObject("legalBasis").put("basis", "consent");
    String id = msg.get("messageId").asText();
    byte[] sealed =
        atRest.seal(
            new InboundRecord("demo-marac", Instant.now(), msg).encode(json.mapper()),
            AtRestSealer.aad(topics.inbound(), id.getBytes(StandardCharsets.UTF_8)));
    try (KafkaProducer<String, byte[]> p = kafka.durableProducer("midbatch-test", 10_000)) {
      p.send(new ProducerRecord<>(topics.inbound(), id, sealed)).get(30, TimeUnit.SECONDS);
    }
    Hold hold = new Hold();
    Pipeline second =
        new Pipeline(
            () -> kafka.consumer("midbatch-" + id, topics.prefix() + "pipeline", 100),
            () -> kafka.transactionalProducer("midbatch-" + id, 60_000),
            topics,
            router,
            List.of(new ConsentGate(consent), hold),
            List.of(),
            new PlainWriter(),
            statuses,
            db,
            json.mapper(),
            metrics,
            atRest,
            trail,
            consent,
            Duration.ofSeconds(20),
            null);
    Thread t = new Thread(second, "midbatch-pipeline");
    t.setDaemon(true);
    t.start();
    try {
      // Given the batch past its consent check (consent was granted then), sealing
      assertTrue(hold.reached.await(60, TimeUnit.SECONDS), "the second pipeline took the message");
      // When the withdrawal is accepted meanwhile
      publish("demo-iss", consentChange(subject, "withdrawn"));
      hold.release.countDown();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> second.processed() >= 1);
    } finally {
      hold.release.countDown();
      second.stop();
      t.join(10_000);
    }
    // Then every copy was withheld for the withdrawal, and none was committed to a delivery topic
    List<DeliveryStatusStore.RecipientState> states = statuses.status(UUID.fromString(id));
    assertTrue(!states.isEmpty(), "decisions recorded");
    for (DeliveryStatusStore.RecipientState s : states) {
      assertEquals("withheld", s.state().wire(), s.recipient());
      assertEquals("consent-withdrawn", s.reason().wire(), s.recipient());
    }
    assertEquals(List.of(), committedKeys(topics, id));
  }

  @Test
  void everyRecipientOfACopyAnotherInstanceDeliveredIsToldOfTheWithdrawal() throws Exception {
    // Given consent, and a consent-based message the hub accepted but another instance (the second
    // pipeline) delivered
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    publish("demo-iss", consentChange(subject, "granted", "partner-support", "childrens-services"));
    Topics topics = new Topics("other-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(kafka.adminConfig())) {
      List<NewTopic> wanted =
          new ArrayList<>(
              List.of(
                  new NewTopic(topics.inbound(), 1, (short) 1),
                  new NewTopic(topics.deadLetter(), 1, (short) 1)));
      router
          .agencies()
          .all()
          .forEach(a -> wanted.add(new NewTopic(topics.delivery(a.id()), 1, (short) 1)));
      admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
    }
    ObjectNode msg = TestMessages.example("risk-disclosure");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    msg.putObject("legalBasis").put("basis", "consent");
    String id = msg.get("messageId").asText();
    try (java.sql.Connection c = db.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "insert into receipt (message_id, sender, content_hash, message_type, case_ref, received_at, state, legal_basis, subject_refs)"
                    + " values (?, 'demo-marac', '\\x00'::bytea, 'risk-disclosure', ?, now(), 'accepted', 'consent', ?)")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, msg.get("caseRef").asText());
      ps.setArray(3, c.createArrayOf("text", new Object[] {subject}));
      ps.executeUpdate();
    }
    byte[] sealed =
        atRest.seal(
            new InboundRecord("demo-marac", Instant.now(), msg).encode(json.mapper()),
            AtRestSealer.aad(topics.inbound(), id.getBytes(StandardCharsets.UTF_8)));
    try (KafkaProducer<String, byte[]> p = kafka.durableProducer("other-test", 10_000)) {
      p.send(new ProducerRecord<>(topics.inbound(), id, sealed)).get(30, TimeUnit.SECONDS);
    }
    Pipeline other =
        new Pipeline(
            () -> kafka.consumer("other-" + id, topics.prefix() + "pipeline", 100),
            () -> kafka.transactionalProducer("other-" + id, 60_000),
            topics,
            router,
            List.of(new ConsentGate(consent)),
            List.of(),
            new PlainWriter(),
            statuses,
            db,
            json.mapper(),
            metrics,
            atRest,
            trail,
            consent,
            Duration.ofSeconds(20),
            null);
    Thread t = new Thread(other, "other-pipeline");
    t.setDaemon(true);
    t.start();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> other.processed() >= 1);
    } finally {
      other.stop();
      t.join(10_000);
    }
    assertEquals(
        List.of(topics.delivery("demo-cs"), topics.delivery("demo-iss")),
        committedKeys(topics, id).stream().sorted().toList());
    // When the victim withdraws through the running hub (this instance never delivered that
    // message)
    String withdrawal = publish("demo-iss", consentChange(subject, "withdrawn"));
    // Then both recipients of the other instance's copies get a notice naming it: the hub read who
    // holds copies from the database
    for (String agency : List.of("demo-iss", "demo-cs")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> copyIn(agency, withdrawal, "consent-withdrawn-notice") != null);
      com.fasterxml.jackson.databind.JsonNode opened =
          SealedCopies.open(agency, copyIn(agency, withdrawal, "consent-withdrawn-notice"));
      assertTrue(opened.get("affectedMessageIds").toString().contains(id), agency);
    }
  }

  @Test
  void aConsentChangeInTheInboundTopicThatWasNeverAcceptedIsNotDelivered() throws Exception {
    // Given a withdrawal written to the inbound topic whose publisher was then refused (its receipt
    // given back)
    String subject = "SUBJ-" + UUID.randomUUID().toString().substring(0, 8);
    Topics topics = new Topics("refused-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(kafka.adminConfig())) {
      List<NewTopic> wanted =
          new ArrayList<>(
              List.of(
                  new NewTopic(topics.inbound(), 1, (short) 1),
                  new NewTopic(topics.deadLetter(), 1, (short) 1)));
      router
          .agencies()
          .all()
          .forEach(a -> wanted.add(new NewTopic(topics.delivery(a.id()), 1, (short) 1)));
      admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
    }
    ObjectNode msg = consentChange(subject, "withdrawn");
    String id = msg.get("messageId").asText();
    byte[] sealed =
        atRest.seal(
            new InboundRecord("demo-iss", Instant.now(), msg).encode(json.mapper()),
            AtRestSealer.aad(topics.inbound(), id.getBytes(StandardCharsets.UTF_8)));
    try (KafkaProducer<String, byte[]> p = kafka.durableProducer("refused-test", 10_000)) {
      p.send(new ProducerRecord<>(topics.inbound(), id, sealed)).get(30, TimeUnit.SECONDS);
    }
    // When a pipeline takes it
    Pipeline other =
        new Pipeline(
            () -> kafka.consumer("refused-" + id, topics.prefix() + "pipeline", 100),
            () -> kafka.transactionalProducer("refused-" + id, 60_000),
            topics,
            router,
            List.of(new ConsentGate(consent)),
            List.of(new ConsentNotices(consent, json.mapper())),
            new PlainWriter(),
            statuses,
            db,
            json.mapper(),
            metrics,
            atRest,
            trail,
            consent,
            Duration.ofSeconds(20),
            null);
    Thread t = new Thread(other, "refused-pipeline");
    t.setDaemon(true);
    t.start();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> other.processed() >= 1);
    } finally {
      other.stop();
      t.join(10_000);
    }
    // Then nobody is told of a change that did not happen
    assertEquals(List.of(), committedKeys(topics, id));
    assertEquals(List.of(), statuses.status(UUID.fromString(id)));
  }

  /** The caller's inbox item for {@code messageId} of {@code type}, or null. */
  private static com.fasterxml.jackson.databind.JsonNode copyIn(
      String client, String messageId, String type) {
    String cursor = null;
    while (true) {
      var req =
          io.restassured.RestAssured.given()
              .auth()
              .oauth2(Tokens.forClient(client))
              .queryParam("limit", 500);
      if (cursor != null) {
        req.queryParam("after", cursor);
      }
      com.fasterxml.jackson.databind.JsonNode body =
          TestMessages.readTree(
              req.get("/api/v1/inbox").then().statusCode(200).extract().asString());
      if (body.get("items").isEmpty()) {
        return null;
      }
      for (com.fasterxml.jackson.databind.JsonNode item : body.get("items")) {
        if (messageId.equals(item.get("messageId").asText())
            && type.equals(item.get("type").asText())) {
          return item;
        }
      }
      cursor = body.get("nextCursor").asText();
    }
  }

  /** Keys equal to {@code id} committed to any of the second pipeline's delivery topics. */
  private List<String> committedKeys(Topics topics, String id) {
    List<String> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = kafka.consumer("midbatch-reader", null, 500)) {
      List<TopicPartition> parts =
          router.agencies().all().stream()
              .map(a -> new TopicPartition(topics.delivery(a.id()), 0))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (id.equals(r.key())) {
            found.add(r.topic());
          }
        }
      }
    }
    return found;
  }

  private static String publish(String client, ObjectNode msg) {
    io.restassured.RestAssured.given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  private static ObjectNode consentChange(String subject, String change, String... agencyTypes) {
    ObjectNode msg = TestMessages.example("consent-change");
    msg.putArray("subjects").addObject().put("ref", subject).put("role", "victim");
    ObjectNode basis = msg.putObject("legalBasis");
    basis.put("basis", "legal-obligation");
    basis.put(
        "justification",
        "Agencies must be told of a change to consent so that they stop sharing beyond it.");
    ObjectNode p = msg.putObject("payload");
    p.put("subjectRef", subject);
    p.put("change", change);
    if (agencyTypes.length > 0) {
      var types = p.putObject("scope").putArray("agencyTypes");
      for (String at : agencyTypes) {
        types.add(at);
      }
    }
    p.put("recordedBy", "Test Worker");
    p.put("recordedAt", Instant.now().toString());
    TestMessages.withRecipients(msg, "demo-cs");
    return msg;
  }
}
