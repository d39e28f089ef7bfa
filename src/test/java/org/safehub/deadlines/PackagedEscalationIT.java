package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.HubProcess;
import org.safehub.devstack.Ports;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.PackagedHubs;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * Exactly once across processes: packaged hubs (production profile, real clock) sharing one
 * PostgreSQL, with the deadlines shortened for a trial the way an operator would (a config folder
 * of their own: immediate {@code PT15S}, repeated every {@code PT5S}, once).
 */
class PackagedEscalationIT {

  private static DevStack.Endpoints stack;
  private static Path configDir;
  private final List<Process> hubs = new ArrayList<>();

  @BeforeAll
  static void components() throws IOException {
    new ComponentsResource().start(); // the run's shared Kafka, PostgreSQL and Keycloak
    stack = ComponentsResource.endpoints();
    configDir = Path.of("target", "packaged-escalation-config").toAbsolutePath();
    Files.createDirectories(configDir);
    try (Stream<Path> files = Files.list(Path.of("deploy", "config"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(
            f, configDir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path deadlines = configDir.resolve("deadlines.yaml");
    String trial =
        Files.readString(deadlines)
            .replace(
                "acknowledgeWithin:\n  immediate: PT1H", "acknowledgeWithin:\n  immediate: PT15S")
            .replace("repeatEvery:\n    immediate: PT1H", "repeatEvery:\n    immediate: PT5S")
            .replace("maxRepeats: 3", "maxRepeats: 1");
    assertTrue(trial.contains("PT15S") && trial.contains("PT5S"), "trial edits applied");
    Files.writeString(deadlines, trial);
  }

  @AfterEach
  void stopHubs() {
    hubs.forEach(HubProcess::stop);
  }

  @Test
  void twoPackagedHubsEscalateEachMissOnce() throws Exception {
    // Given two packaged hubs on one database, each looking for missed deadlines every second
    URI first = startHub("pesc2.", "esc-a");
    startHub("pesc2.", "esc-b");
    // When six immediate alerts go unacknowledged past their deadline and its one repeat
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(publishImmediateAlert(first));
    }
    for (String id : ids) {
      Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> watchesDone(id) == 2);
      // the rounds are decided; their notices leave the outbox in a relay's Kafka transaction
      Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> waitingInOutbox(id) == 0);
    }
    // Then each miss was recorded once, and the MASH told once per round (the miss, one repeat)
    for (String id : ids) {
      assertEquals(1, events("deadline-missed", id, "demo-cs"), id);
      assertEquals(1, events("deadline-missed", id, "demo-mash"), id);
      assertEquals(2, events("deadline-escalated", id, "demo-mash"), id);
      assertEquals(2, notices("pesc2.", "demo-mash", "deadline-escalation", id), id);
      assertEquals(2, notices("pesc2.", "demo-iss", "deadline-missed", id), id);
    }
  }

  @Test
  void hubStoppedAcrossADeadlineEscalatesItOnceAfterRestart() throws Exception {
    // Given an immediate alert delivered by a hub, which then stops
    URI hub = startHub("pesc3.", "esc-r");
    String id = publishImmediateAlert(hub);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> delivered(id) == 2);
    HubProcess.stop(hubs.remove(0));
    Instant deadline = deadline(id, "demo-cs");
    // When its deadline and three repeat intervals pass while no hub runs
    Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> Instant.now().isAfter(deadline.plusSeconds(20)));
    assertEquals(0, events("deadline-missed", id, "demo-cs"), "nobody escalated while down");
    // and the hub starts again
    startHub("pesc3.", "esc-r");
    Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> watchesDone(id) == 2);
    Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> waitingInOutbox(id) == 0);
    // Then the miss was escalated once, late; then repeated once, as configured; not once per
    // interval slept through
    assertEquals(1, events("deadline-missed", id, "demo-cs"));
    assertEquals(1, roundZero(id, "demo-mash"));
    assertEquals(2, events("deadline-escalated", id, "demo-mash"));
    assertEquals(2, notices("pesc3.", "demo-mash", "deadline-escalation", id));
  }

  private URI startHub(String prefix, String instance) {
    int port = Ports.free();
    List<String> opts =
        List.of(
            "-Xmx384m",
            "-Dsafehub.kafka.topic-prefix=" + prefix,
            "-Dsafehub.instance-id=" + instance,
            "-Dsafehub.config-dir=" + configDir,
            "-Dsafehub.deadlines.poll-every=1s",
            "-Dquarkus.log.level=WARN");
    hubs.add(
        HubProcess.start(
            HubProcess.command(
                opts,
                stack,
                port,
                Path.of("target", "test-data"),
                Path.of("target", "quarkus-app", "quarkus-run.jar"))));
    URI base = URI.create("http://127.0.0.1:" + port);
    return PackagedHubs.awaitReady(base, "hub " + instance);
  }

  private static String publishImmediateAlert(URI hub) throws Exception {
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    TestMessages.withRecipients(msg, "demo-cs", "demo-mash");
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(hub.resolve("/api/v1/messages"))
                    .header("Authorization", "Bearer " + Tokens.forClient("demo-iss"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestMessages.json(msg)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
    return msg.get("messageId").asText();
  }

  private static Connection db() throws SQLException {
    return DriverManager.getConnection(stack.jdbcUrl(), stack.dbUser(), stack.dbPassword());
  }

  private static long count(String sql, Object... args) throws SQLException {
    try (Connection c = db();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long delivered(String id) throws SQLException {
    return count(
        "select count(*) from delivery where message_id = ? and state = 'delivered'",
        UUID.fromString(id));
  }

  /** The copies of the message whose escalation is over (no more rounds due). */
  private static long watchesDone(String id) throws SQLException {
    return count(
        "select count(*) from copy_deadline where message_id = ? and next_at is null"
            + " and escalations > 0",
        UUID.fromString(id));
  }

  /** The message's sealed notices still waiting for a relay (deleted once sent). */
  private static long waitingInOutbox(String id) throws SQLException {
    return count(
        "select count(*) from escalation_outbox where message_id = ?", UUID.fromString(id));
  }

  private static Instant deadline(String id, String recipient) throws SQLException {
    try (Connection c = db();
        PreparedStatement ps =
            c.prepareStatement(
                "select deadline from copy_deadline where message_id = ? and recipient = ?")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, recipient);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no deadline for " + recipient);
        return rs.getTimestamp(1).toInstant();
      }
    }
  }

  private static long events(String action, String id, String recipient) throws SQLException {
    return count(
        "select count(*) from audit_event where action = ? and message_id = ? and recipient = ?",
        action,
        UUID.fromString(id),
        recipient);
  }

  private static long roundZero(String id, String recipient) throws SQLException {
    return count(
        "select count(*) from audit_event where action = 'deadline-escalated' and message_id = ?"
            + " and recipient = ? and event_json like '%\"round\":\"0\"%'",
        UUID.fromString(id), recipient);
  }

  private static long notices(String prefix, String agency, String kind, String id) {
    return DeliveryTopics.readAll(prefix + "delivery." + agency).stream()
        .filter(r -> id.equals(DeliveryTopics.header(r, "safehub-message-id")))
        .filter(r -> kind.equals(DeliveryTopics.header(r, "safehub-type")))
        .count();
  }
}
