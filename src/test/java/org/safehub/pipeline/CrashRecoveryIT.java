package org.safehub.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditVerifier;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.HubProcess;
import org.safehub.devstack.Ports;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.PackagedHubs;
import org.safehub.testsupport.PublishBurst;
import org.safehub.testsupport.Tokens;

/**
 * Kills real hub processes (SIGKILL, not a clean stop) in the middle of bursts of accepted
 * messages, on the real broker and database: every message that got a 202 is delivered to each
 * recipient exactly once, and the audit log still verifies. The kills land wherever the pipeline
 * happens to be (polling, sealing, writing the decisions, inside or after the Kafka transaction).
 */
class CrashRecoveryIT {

  private static final List<String> RECIPIENTS = List.of("demo-iss", "demo-cs");
  private static DevStack.Endpoints stack;
  private final List<Process> hubs = new ArrayList<>();

  @BeforeAll
  static void components() {
    new ComponentsResource().start(); // the run's shared Kafka, PostgreSQL and Keycloak
    stack = ComponentsResource.endpoints();
  }

  @AfterEach
  void stopHubs() {
    hubs.forEach(HubProcess::stop);
  }

  /** A hub process sharing the test run's components and key store, with its own topics. */
  private URI startHub(String prefix, String instance) {
    int port = Ports.free();
    List<String> opts =
        List.of(
            "-Xmx512m",
            "-Dsafehub.kafka.topic-prefix=" + prefix,
            "-Dsafehub.instance-id=" + instance,
            "-Dsafehub.audit.checkpoint-interval=PT2S",
            "-Dquarkus.log.level=WARN");
    Process p =
        HubProcess.start(
            HubProcess.command(
                opts,
                stack,
                port,
                Path.of("target", "test-data"),
                Path.of("target", "quarkus-app", "quarkus-run.jar")));
    hubs.add(p);
    URI base = URI.create("http://127.0.0.1:" + port);
    return PackagedHubs.awaitReady(base, "hub " + instance);
  }

  private static void kill(Process hub) {
    // SIGKILL to the hub's JVM itself (it runs under a small watchdog shell)
    hub.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    hub.destroyForcibly();
  }

  private static void assertDeliveredExactlyOnce(String prefix, Set<String> accepted) {
    Awaitility.await("all accepted messages delivered")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              for (String agency : RECIPIENTS) {
                Set<String> seen = new java.util.HashSet<>();
                DeliveryTopics.readAll(prefix + "delivery." + agency)
                    .forEach(r -> seen.add(DeliveryTopics.header(r, "safehub-message-id")));
                if (!seen.containsAll(accepted)) {
                  return false;
                }
              }
              return true;
            });
    for (String agency : RECIPIENTS) {
      Map<String, Integer> copies = new HashMap<>();
      DeliveryTopics.readAll(prefix + "delivery." + agency)
          .forEach(
              r -> copies.merge(DeliveryTopics.header(r, "safehub-message-id"), 1, Integer::sum));
      List<String> missing = accepted.stream().filter(id -> !copies.containsKey(id)).toList();
      List<String> duplicated =
          copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
      assertEquals(List.of(), missing, "lost at " + agency);
      assertEquals(List.of(), duplicated, "duplicated at " + agency);
    }
    System.out.printf(
        "crash test %s: %d accepted, each delivered exactly once to %s%n",
        prefix, accepted.size(), RECIPIENTS);
  }

  private static void assertAuditVerifies(URI hub) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String token = Tokens.forClient("demo-auditor");
    String pem =
        http.send(
                HttpRequest.newBuilder(hub.resolve("/api/v1/audit/public-key"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    HttpResponse<String> export =
        http.send(
            HttpRequest.newBuilder(hub.resolve("/api/v1/audit/export"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, export.statusCode());
    AuditVerifier.Result r =
        AuditVerifier.verify(new StringReader(export.body()), AuditVerifier.readPublicKeyPem(pem));
    assertInstanceOf(AuditVerifier.Verified.class, r, r.toString());
  }

  @Test
  void hubKilledThreeTimesMidBurstLosesAndDuplicatesNothing() throws Exception {
    String prefix = "crasha.";
    URI hub = startHub(prefix, "crash-a");
    Process current = hubs.get(hubs.size() - 1);
    Set<String> accepted;
    try (PublishBurst burst = new PublishBurst(8, Duration.ofSeconds(15), hub)) {
      for (int killAt : List.of(200, 500, 800)) {
        burst.until(killAt);
        kill(current);
        URI restarted =
            startHub(
                prefix,
                "crash-a"); // same instance: fences and aborts its predecessor's transaction
        burst.targets.set(0, restarted);
        current = hubs.get(hubs.size() - 1);
        hub = restarted;
      }
      burst.until(1100);
      accepted = Set.copyOf(burst.accepted);
    }
    assertDeliveredExactlyOnce(prefix, accepted);
    assertAuditVerifies(hub);
  }

  @Test
  void secondInstanceTakesOverWhenTheFirstIsKilled() throws Exception {
    String prefix = "crashb.";
    URI first = startHub(prefix, "crash-b1");
    Process firstProcess = hubs.get(hubs.size() - 1);
    URI second = startHub(prefix, "crash-b2");
    Set<String> accepted;
    try (PublishBurst burst = new PublishBurst(8, Duration.ofSeconds(15), first, second)) {
      burst.until(400);
      kill(firstProcess);
      burst.targets.remove(first);
      burst.until(1100);
      accepted = Set.copyOf(burst.accepted);
    }
    assertDeliveredExactlyOnce(prefix, accepted);
    assertAuditVerifies(second);
  }
}
