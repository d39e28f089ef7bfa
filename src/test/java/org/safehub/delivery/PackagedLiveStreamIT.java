package org.safehub.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.HubProcess;
import org.safehub.devstack.Ports;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.PackagedHubs;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The live stream as a new user meets it: the packaged hub (production profile, not the test
 * profile), a client on {@code GET /api/v1/inbox/stream}, and a programme publishing an attendance
 * record each second.
 */
class PackagedLiveStreamIT {

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

  /** A packaged hub sharing the test run's components and key store, with its own topics. */
  private URI startHub(String prefix, String instance) {
    int port = Ports.free();
    List<String> opts =
        List.of(
            "-Xmx512m",
            "-Dsafehub.kafka.topic-prefix=" + prefix,
            "-Dsafehub.instance-id=" + instance,
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

  private static String publishAttendance(HttpClient http, URI hub) throws Exception {
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), "demo-iss");
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(hub.resolve("/api/v1/messages"))
                .header("Authorization", "Bearer " + Tokens.forClient("demo-dvpp"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestMessages.json(msg)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
    return msg.get("messageId").asText();
  }

  /**
   * Opens {@code client}'s live stream as curl -N does (HTTP/1.1, any media type); its lines are
   * collected as they arrive.
   */
  /** When each stream (by its lines) ended. */
  private static final java.util.Map<List<String>, java.util.concurrent.CompletableFuture<Void>>
      ended = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  private static List<String> openStream(URI hub, String client) throws Exception {
    HttpResponse<Stream<String>> stream =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .sendAsync(
                HttpRequest.newBuilder(hub.resolve("/api/v1/inbox/stream"))
                    .header("Authorization", "Bearer " + Tokens.forClient(client))
                    .header("Accept", "*/*")
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .get(30, TimeUnit.SECONDS);
    assertEquals(200, stream.statusCode());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CompletableFuture<Void> end =
        new java.util.concurrent.CompletableFuture<>();
    ended.put(lines, end);
    Thread reader =
        new Thread(
            () -> {
              try {
                stream.body().forEach(lines::add);
              } catch (RuntimeException e) {
                // the hub stopped
              }
              end.complete(null);
            });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static boolean has(List<String> lines, String id) {
    synchronized (lines) {
      return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(id));
    }
  }

  @Test
  void twoInstancesEachStreamEveryCopyToTheirClients() throws Exception {
    // Given two packaged hubs sharing the work, and partner support listening on each
    URI first = startHub("livetwo.", "live-a");
    URI second = startHub("livetwo.", "live-b");
    HttpClient http = HttpClient.newHttpClient();
    List<String> onFirst = openStream(first, "demo-iss");
    List<String> onSecond = openStream(second, "demo-iss");
    // When the programme publishes until both streams are live
    List<String> sent = new ArrayList<>();
    Awaitility.await("a copy on both streams")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              sent.add(publishAttendance(http, first));
              return sent.stream().anyMatch(id -> has(onFirst, id))
                  && sent.stream().anyMatch(id -> has(onSecond, id));
            });
    // Then every later copy reaches both clients, whichever instance delivered it
    List<String> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(publishAttendance(http, i % 2 == 0 ? first : second));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> later.stream().allMatch(id -> has(onFirst, id) && has(onSecond, id)));
    // and suspending partner support through one instance ends its streams on both
    HttpRequest.Builder admin =
        HttpRequest.newBuilder()
            .header("Authorization", "Bearer " + Tokens.forClient("demo-admin"))
            .POST(HttpRequest.BodyPublishers.noBody());
    assertEquals(
        200,
        http.send(
                admin.uri(first.resolve("/api/v1/admin/agencies/demo-iss/suspend")).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode());
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ended.get(onFirst).isDone() && ended.get(onSecond).isDone());
    } finally {
      assertEquals(
          200,
          http.send(
                  admin.uri(first.resolve("/api/v1/admin/agencies/demo-iss/reinstate")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode());
    }
  }

  @Test
  void packagedHubStreamsEachNewCopyToItsRecipient() throws Exception {
    // Given the packaged hub and partner support listening on its live stream
    URI hub = startHub("livestream.", "live-1");
    HttpClient http = HttpClient.newHttpClient();
    List<String> lines = openStream(hub, "demo-iss");
    // When the programme publishes an attendance record each second
    List<String> sent = new ArrayList<>();
    // Then they arrive on the stream
    Awaitility.await("a copy on the live stream")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              sent.add(publishAttendance(http, hub));
              synchronized (lines) {
                return sent.stream()
                    .anyMatch(
                        id ->
                            lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(id)));
              }
            });
    // and once the stream is live, every later copy arrives
    String next = publishAttendance(http, hub);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              synchronized (lines) {
                return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(next));
              }
            });
  }
}
