package org.safehub.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.testsupport.DemoAgencies;
import org.safehub.testsupport.Tokens;

/**
 * Proves the dev stack is the real thing: Kafka transactions, SQL, Keycloak client-credentials
 * tokens shaped as the hub expects, and data that outlives a restart on the same data directory.
 */
// starts brokers of its own in-process: runs in its own JVM (pom.xml, failsafe execution own-stack)
@Tag("own-stack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevStackIT {

  /**
   * Static, so it exists in {@code @BeforeAll} and is deleted only after {@code @AfterAll} has
   * stopped the stack.
   */
  @TempDir static Path dataDir;

  private DevStack stack;

  @BeforeAll
  void start() {
    stack = DevStack.start(options());
    report("first start", stack);
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void transactionalRecordsReachReadCommittedConsumers() throws Exception {
    String bootstrap = stack.endpoints().kafkaBootstrap();
    String topic = "devstack-tx-" + UUID.randomUUID();
    createTopic(bootstrap, topic);
    try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "committed-1")).get();
      producer.send(new ProducerRecord<>(topic, "k2", "committed-2")).get();
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k3", "aborted")).get();
      producer.flush();
      producer.abortTransaction();
    }
    assertEquals(List.of("committed-1", "committed-2"), readCommitted(bootstrap, topic, 2));
  }

  @Test
  void postgresRoundTrip() throws SQLException {
    try (Connection db = connect(stack.endpoints());
        Statement sql = db.createStatement()) {
      sql.execute("CREATE TABLE round_trip (id int PRIMARY KEY, note text NOT NULL)");
      sql.execute("INSERT INTO round_trip VALUES (1, 'hello')");
      try (ResultSet rows =
          sql.executeQuery("SELECT note, current_database() FROM round_trip WHERE id = 1")) {
        assertTrue(rows.next());
        assertEquals("hello", rows.getString(1));
        assertEquals("safehub", rows.getString(2));
      }
    }
  }

  @Test
  void agencyTokenCarriesAgencyAudienceAndPublisherRole() {
    JsonNode claims = Tokens.payload(Tokens.fetch(stack.endpoints().issuer(), "demo-iss"));
    assertEquals("demo-iss", claims.path("agency").asText());
    assertEquals(stack.endpoints().issuer(), claims.path("iss").asText());
    assertTrue(audience(claims).contains("safehub-hub"), "aud: " + claims.path("aud"));
    assertTrue(roles(claims).contains("publisher"), "roles: " + roles(claims));
    assertTrue(roles(claims).contains("subscriber"), "roles: " + roles(claims));
  }

  @Test
  void everyAgencyOfAgenciesYamlGetsATokenNamingItInBothDemoAreas() {
    // Given every agency deploy/config/agencies.yaml registers (the second area's demo2-* included)
    List<String> ids = DemoAgencies.ids();
    assertTrue(
        ids.containsAll(
            List.of("demo2-dvpp", "demo2-iss", "demo2-cs", "demo2-mash", "demo2-marac")),
        ids.toString());
    for (String id : ids) {
      // When it asks the dev stack's Keycloak for a token with its demo secret
      JsonNode claims = Tokens.payload(Tokens.fetch(stack.endpoints().issuer(), id));
      // Then the token names it, is meant for the hub and lets it publish and subscribe
      assertEquals(id, claims.path("agency").asText());
      assertTrue(audience(claims).contains("safehub-hub"), id + " aud: " + claims.path("aud"));
      assertTrue(
          roles(claims).containsAll(List.of("publisher", "subscriber")),
          id + " roles: " + roles(claims));
    }
  }

  @Test
  void auditorTokenHasAuditorButNotPublisher() {
    JsonNode claims = Tokens.payload(Tokens.fetch(stack.endpoints().issuer(), "demo-auditor"));
    assertEquals("demo-auditor", claims.path("agency").asText());
    assertTrue(audience(claims).contains("safehub-hub"), "aud: " + claims.path("aud"));
    assertTrue(roles(claims).contains("auditor"), "roles: " + roles(claims));
    assertFalse(roles(claims).contains("publisher"), "roles: " + roles(claims));
  }

  /**
   * Tests and the one-command start may run Keycloaks from the same unpacked home at the same time.
   */
  @Test
  void aSecondKeycloakFromTheSameHomeRunsAlongside() {
    KeycloakHome home = KeycloakHome.prepare(options().keycloakHome(), options().realmFile());
    try (KeycloakNode second = KeycloakNode.start(home, dataDir.resolve("second-keycloak"), 0)) {
      String issuer = second.baseUrl() + "/realms/safehub";
      assertEquals(
          "demo-cs", Tokens.payload(Tokens.fetch(issuer, "demo-cs")).path("agency").asText());
      assertEquals(
          "demo-iss",
          Tokens.payload(Tokens.fetch(stack.endpoints().issuer(), "demo-iss"))
              .path("agency")
              .asText());
    }
  }

  @Test
  void recordsAndRowsSurviveARestartOnTheSameDataDir() throws Exception {
    String topic = "devstack-restart";
    String value = "kept-" + UUID.randomUUID();
    createTopic(stack.endpoints().kafkaBootstrap(), topic);
    try (KafkaProducer<String, String> producer =
        transactionalProducer(stack.endpoints().kafkaBootstrap())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", value)).get();
      producer.commitTransaction();
    }
    try (Connection db = connect(stack.endpoints());
        Statement sql = db.createStatement()) {
      sql.execute("CREATE TABLE kept (note text NOT NULL)");
      sql.execute("INSERT INTO kept VALUES ('" + value + "')");
    }

    stack.close();
    stack = DevStack.start(options());
    report("restart", stack);

    assertEquals(List.of(value), readCommitted(stack.endpoints().kafkaBootstrap(), topic, 1));
    try (Connection db = connect(stack.endpoints());
        PreparedStatement query = db.prepareStatement("SELECT count(*) FROM kept WHERE note = ?")) {
      query.setString(1, value);
      try (ResultSet rows = query.executeQuery()) {
        assertTrue(rows.next());
        assertEquals(1, rows.getInt(1));
      }
    }
  }

  @Test
  void postgresOfTheStartCommandRunsWithFsyncAndSynchronousCommitOn() throws SQLException {
    // Given the stack as the start command runs it (its own data directory)
    DevStack.Endpoints e = stack.endpoints();
    // When PostgreSQL is asked for its durability settings
    try (Connection c = DriverManager.getConnection(e.jdbcUrl(), e.dbUser(), e.dbPassword());
        Statement s = c.createStatement()) {
      // Then a commit is flushed to disk before it is acknowledged
      assertEquals("on", show(s, "fsync"));
      assertEquals("on", show(s, "synchronous_commit"));
      assertEquals("on", show(s, "full_page_writes"));
    }
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet r = s.executeQuery("SHOW " + setting)) {
      r.next();
      return r.getString(1);
    }
  }

  private DevStack.Options options() {
    Path keycloakHome =
        Path.of(
            System.getProperty(
                "safehub.keycloak.home",
                Path.of(System.getProperty("user.home"), ".cache", "safehub", "keycloak-26.5.6")
                    .toString()));
    return new DevStack.Options(
        dataDir, false, 0, 0, 0, 0, keycloakHome, Path.of("deploy/keycloak/safehub-realm.json"));
  }

  private static void report(String when, DevStack stack) {
    DevStack.StartTimes t = stack.startTimes();
    System.out.printf(
        "DevStackIT %s: ready in %d ms (Kafka %d ms, PostgreSQL %d ms, Keycloak %d ms)%n",
        when,
        t.total().toMillis(),
        t.kafka().toMillis(),
        t.postgres().toMillis(),
        t.keycloak().toMillis());
  }

  private static Connection connect(DevStack.Endpoints endpoints) throws SQLException {
    return DriverManager.getConnection(
        endpoints.jdbcUrl(), endpoints.dbUser(), endpoints.dbPassword());
  }

  private static void createTopic(String bootstrap, String topic) throws Exception {
    Map<String, Object> config = new HashMap<>(KafkaNode.hubClientConfig());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(config)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.putAll(KafkaNode.hubClientConfig());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "devstack-it-" + UUID.randomUUID());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /**
   * Reads the topic from the start, as a read_committed consumer, until {@code expected} values or
   * 30 s.
   */
  private static List<String> readCommitted(String bootstrap, String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.putAll(KafkaNode.hubClientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(Set.of(partition));
      consumer.seekToBeginning(Set.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
      // one more poll: an aborted or extra record would show up here
      consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
    }
    return values;
  }

  private static List<String> audience(JsonNode claims) {
    JsonNode aud = claims.path("aud");
    List<String> result = new ArrayList<>();
    if (aud.isArray()) {
      aud.forEach(a -> result.add(a.asText()));
    } else if (aud.isTextual()) {
      result.add(aud.asText());
    }
    return result;
  }

  private static List<String> roles(JsonNode claims) {
    List<String> result = new ArrayList<>();
    claims.path("realm_access").path("roles").forEach(r -> result.add(r.asText()));
    return result;
  }
}
