package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.SealedCopies;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

@QuarkusTest
class InboxIT {

  @TestHTTPResource("/api/v1/inbox/stream")
  URL streamUrl;

  private static String publishAttendance(String... recipients) {
    ObjectNode msg = TestMessages.example("attendance");
    if (recipients.length > 0) {
      TestMessages.withRecipients(msg, recipients);
    }
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  private static String publishMaracReferral() {
    ObjectNode msg = TestMessages.example("marac-referral");
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  private static JsonPath inbox(String client, String after, int limit) {
    var req = given().auth().oauth2(Tokens.forClient(client)).queryParam("limit", limit);
    if (after != null) {
      req.queryParam("after", after);
    }
    return req.get("/api/v1/inbox").then().statusCode(200).extract().jsonPath();
  }

  private static List<String> allIds(String client) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    while (true) {
      JsonPath page = inbox(client, cursor, 50);
      List<String> got = page.getList("items.messageId");
      if (got.isEmpty()) {
        return ids;
      }
      ids.addAll(got);
      cursor = page.getString("nextCursor");
    }
  }

  @Test
  void inboxPagesInOrderWithACursorAndShowsOnlyOwnCopies() {
    // (each published once the one before is in the inbox: messages in flight together may be
    // delivered in either order, since the inbound topic has several partitions)
    String a = publishAttendance();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> allIds("demo-iss").contains(a));
    String b = publishAttendance();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> allIds("demo-iss").contains(b));
    String c = publishAttendance();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> allIds("demo-iss").contains(c));
    List<String> ids = allIds("demo-iss");
    assertTrue(ids.indexOf(a) < ids.indexOf(b) && ids.indexOf(b) < ids.indexOf(c), "in order");
    assertEquals(1, Collections.frequency(ids, a));
    // paging with limit 1 walks the same sequence
    JsonPath first = inbox("demo-iss", null, 1);
    JsonPath second = inbox("demo-iss", first.getString("nextCursor"), 1);
    assertEquals(ids.get(0), first.getList("items.messageId").get(0));
    assertEquals(ids.get(1), second.getList("items.messageId").get(0));
    // the copy carries the message and its delivery metadata
    JsonPath page = inbox("demo-iss", null, 500);
    int idx = page.getList("items.messageId").indexOf(a);
    assertEquals("attendance", page.getString("items[" + idx + "].type"));
    assertEquals("demo-dvpp", page.getString("items[" + idx + "].sender"));
    assertEquals("cms", page.getString("items[" + idx + "].format"));
    com.fasterxml.jackson.databind.JsonNode item =
        TestMessages.readTree(
                given()
                    .auth()
                    .oauth2(Tokens.forClient("demo-iss"))
                    .queryParam("limit", 500)
                    .get("/api/v1/inbox")
                    .then()
                    .extract()
                    .asString())
            .get("items")
            .get(idx);
    com.fasterxml.jackson.databind.JsonNode document = SealedCopies.open("demo-iss", item);
    assertEquals(a, document.get("message").get("messageId").asText());
    assertEquals("demo-iss", document.get("recipient").asText());
    // a non-recipient's inbox does not hold it; the sender's holds only the notice that it was
    // fetched (as CP-IS does)
    assertTrue(!allIds("demo-marac").contains(a));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> allIds("demo-dvpp").contains(a));
    JsonPath owner = inbox("demo-dvpp", null, 500);
    List<String> ownerIds = owner.getList("items.messageId");
    for (int i = 0; i < ownerIds.size(); i++) {
      if (ownerIds.get(i).equals(a)) {
        assertEquals("fetch-notice", owner.getString("items[" + i + "].type"));
        assertEquals("safehub", owner.getString("items[" + i + "].sender"));
      }
    }
  }

  @Test
  void statusShowsDeliveredThenAcknowledgedAndOnlyToTheSender() {
    String id = publishAttendance();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                status("demo-dvpp", id).getList("recipients.state").stream()
                        .allMatch("delivered"::equals)
                    && !status("demo-dvpp", id).getList("recipients").isEmpty());
    JsonPath st = status("demo-dvpp", id);
    assertEquals(List.of("demo-cs", "demo-iss"), st.getList("recipients.agency"));
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .post("/api/v1/inbox/" + id + "/ack")
        .then()
        .statusCode(200)
        .body("state", equalTo("acknowledged"));
    Map<String, String> states = new java.util.HashMap<>();
    List<Map<String, Object>> recips = status("demo-dvpp", id).getList("recipients");
    recips.forEach(r -> states.put((String) r.get("agency"), (String) r.get("state")));
    assertEquals(Map.of("demo-cs", "delivered", "demo-iss", "acknowledged"), states);
    // another agency sees nothing (not even that the message exists) and cannot acknowledge it
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-iss"))
        .get("/api/v1/messages/" + id + "/status")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-marac"))
        .post("/api/v1/inbox/" + id + "/ack")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .get("/api/v1/inbox")
        .then()
        .statusCode(403);
  }

  @Test
  void explicitRecipientNotPermittedToReceiveIsShownWithheldWithReason() {
    String id = publishAttendance("demo-marac");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status("demo-dvpp", id).getList("recipients.state").contains("delivered"));
    JsonPath st = status("demo-dvpp", id);
    int idx = st.getList("recipients.agency").indexOf("demo-marac");
    assertEquals("withheld", st.getString("recipients[" + idx + "].state"));
    assertEquals("not-permitted-to-receive", st.getString("recipients[" + idx + "].reason"));
  }

  @Test
  void liveStreamDeliversNewCopiesAsServerSentEvents() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(streamUrl.toString()))
            .header("Authorization", "Bearer " + Tokens.forClient("demo-cs"))
            .header("Accept", "text/event-stream")
            .build();
    CompletableFuture<HttpResponse<Stream<String>>> resp =
        http.sendAsync(req, HttpResponse.BodyHandlers.ofLines());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    HttpResponse<Stream<String>> r = resp.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    Thread reader = new Thread(() -> r.body().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    // the live consumer joins the delivery topics asynchronously: publish until one arrives
    List<String> sent = new ArrayList<>();
    List<String> notForCs = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              sent.add(publishAttendance());
              notForCs.add(publishMaracReferral());
              synchronized (lines) {
                return sent.stream()
                    .anyMatch(
                        id ->
                            lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(id)));
              }
            });
    synchronized (lines) {
      // a copy addressed only to MARAC never appears on Children's Services' stream
      assertTrue(notForCs.stream().noneMatch(id -> lines.stream().anyMatch(l -> l.contains(id))));
    }
    // end the stream: an open one would go on fetching (and notifying senders) during later tests
    r.body().close();
  }

  /** An open server-sent-event stream of one client, read on its own thread. */
  private final class LiveStream {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final List<String> published = Collections.synchronizedList(new ArrayList<>());
    final int status;
    private final HttpResponse<Stream<String>> r;

    LiveStream(String client) throws Exception {
      this(client, null);
    }

    /** Opens the stream, resuming after {@code lastEventId} if it is not null. */
    LiveStream(String client, String lastEventId) throws Exception {
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(URI.create(streamUrl.toString()))
              .header("Authorization", "Bearer " + Tokens.forClient(client))
              .header("Accept", "text/event-stream");
      if (lastEventId != null) {
        builder.header("Last-Event-ID", lastEventId);
      }
      HttpRequest req = builder.build();
      r =
          HttpClient.newHttpClient()
              .sendAsync(req, HttpResponse.BodyHandlers.ofLines())
              .get(30, java.util.concurrent.TimeUnit.SECONDS);
      status = r.statusCode();
      Thread reader =
          new Thread(
              () -> {
                try {
                  r.body().forEach(lines::add);
                } catch (RuntimeException e) {
                  // a reset connection ends the stream as well
                }
                ended.complete(null);
              });
      reader.setDaemon(true);
      reader.start();
    }

    /** Closes the connection from the client's side. */
    void close() {
      r.body().close();
    }

    /**
     * The copies received, in order, as {id, data} events; each event's id is checked to be the
     * copy's cursor. The hub's own notices are left out.
     */
    List<JsonNode> copies() {
      List<JsonNode> copies = new ArrayList<>();
      String id = null;
      synchronized (lines) {
        for (String l : lines) {
          if (l.isEmpty()) {
            id = null;
          } else if (l.startsWith("id:")) {
            id = l.substring(3).trim();
          } else if (l.startsWith("data:")) {
            JsonNode item = TestMessages.readTree(l.substring(5));
            assertEquals(item.get("cursor").asText(), id, "the event id is the copy's cursor");
            if (!"safehub".equals(item.path("sender").asText())) {
              copies.add(item);
            }
          }
        }
      }
      return copies;
    }

    List<String> copyIds() {
      return copies().stream().map(c -> c.get("messageId").asText()).toList();
    }

    boolean has(String messageId) {
      synchronized (lines) {
        return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(messageId));
      }
    }

    /**
     * Publishes attendance records for {@code recipient} until one arrives (the live consumer joins
     * the topics asynchronously); returns its id.
     */
    String awaitLive(String recipient) {
      List<String> sent = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> {
                String id = publishAttendance(recipient);
                sent.add(id);
                published.add(id);
                return sent.stream().anyMatch(this::has);
              });
      return sent.stream().filter(this::has).findFirst().orElseThrow();
    }
  }

  private static JsonNode auditEvents(String agency, String action, Instant from) {
    return TestMessages.readTree(
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .queryParam("agency", agency)
            .queryParam("action", action)
            .queryParam("from", from.toString())
            .queryParam("limit", 1000)
            .get("/api/v1/audit/events")
            .then()
            .statusCode(200)
            .extract()
            .asString());
  }

  private static JsonNode auditEventFor(
      String agency, String action, Instant from, String messageId) {
    for (JsonNode e : auditEvents(agency, action, from).get("events")) {
      if (messageId.equals(e.path("messageId").asText())) {
        return e;
      }
    }
    return null;
  }

  @Test
  void copyHandedOverTheLiveStreamIsRecordedAsFetchedAndItsSenderIsTold() throws Exception {
    // Given Children's Services listening on the live stream, and nothing else reading its inbox
    Instant start = Instant.now().minusSeconds(1);
    LiveStream stream = new LiveStream("demo-cs");
    assertEquals(200, stream.status);
    // When a copy for it arrives over the stream
    String id = stream.awaitLive("demo-cs");
    // Then its fetch is recorded exactly as a paged fetch is
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> auditEventFor("demo-cs", "fetched", start, id) != null);
    JsonNode fetched = auditEventFor("demo-cs", "fetched", start, id);
    assertEquals("demo-cs", fetched.get("actorAgency").asText());
    assertEquals("demo-dvpp", fetched.get("detail").get("owner").asText());
    // and the sender gets its sealed fetch-notice, naming who fetched it
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ownerNotice("demo-dvpp", id) != null);
    JsonNode opened = SealedCopies.open("demo-dvpp", ownerNotice("demo-dvpp", id));
    assertEquals("fetched", opened.get("notice").asText());
    assertEquals("demo-cs", opened.get("fetchedBy").asText());
  }

  @Test
  void suspendingAnAgencyEndsItsOpenStreamAtOnceAndNothingMoreIsHandedOver() throws Exception {
    // Given Children's Services' live stream, delivering
    LiveStream stream = new LiveStream("demo-cs");
    assertEquals(200, stream.status);
    stream.awaitLive("demo-cs");
    try {
      // When an operator suspends Children's Services
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post("/api/v1/admin/agencies/demo-cs/suspend")
          .then()
          .statusCode(200);
      // Then the open stream ends (no waiting for the next copy or a keep-alive)
      stream.ended.get(10, java.util.concurrent.TimeUnit.SECONDS);
      int seen = stream.lines.size();
      String later = publishAttendance("demo-cs", "demo-iss");
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> status("demo-dvpp", later).getList("recipients.state").contains("delivered"));
      assertFalse(stream.has(later));
      assertEquals(seen, stream.lines.size(), "nothing arrives after the stream ended");
      // and it cannot be reopened while suspended
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-cs"))
          .accept("text/event-stream")
          .get("/api/v1/inbox/stream")
          .then()
          .statusCode(403)
          .body("type", equalTo("urn:safehub:problem:agency-suspended"));
    } finally {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-admin"))
          .post("/api/v1/admin/agencies/demo-cs/reinstate")
          .then()
          .statusCode(200);
    }
  }

  @Test
  void reconnectWithLastEventIdReceivesExactlyTheCopiesPublishedWhileDisconnectedInOrder()
      throws Exception {
    // Given Children's Services' stream, having received every copy published for it so far
    Instant start = Instant.now().minusSeconds(1);
    LiveStream first = new LiveStream("demo-cs");
    assertEquals(200, first.status);
    first.awaitLive("demo-cs");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> first.copyIds().containsAll(first.published));
    List<JsonNode> seen = first.copies();
    String lastEventId = seen.get(seen.size() - 1).get("cursor").asText();
    // When it disconnects, three copies for it are committed meanwhile
    first.close();
    // (each published once the one before is delivered: messages in flight together may be
    // delivered in either order, since the inbound topic has several partitions)
    List<String> whileAway = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = publishAttendance("demo-cs");
      whileAway.add(id);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> status("demo-dvpp", id).getList("recipients.state").contains("delivered"));
    }
    // and it reconnects with the last event id it saw
    LiveStream resumed = new LiveStream("demo-cs", lastEventId);
    try {
      assertEquals(200, resumed.status);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> resumed.copyIds().size() >= whileAway.size());
      // Then it gets exactly those copies, in order, and then goes on live, none twice
      assertEquals(whileAway, resumed.copyIds().subList(0, whileAway.size()));
      String live = publishAttendance("demo-cs");
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> resumed.has(live));
      List<String> expected = new ArrayList<>(whileAway);
      expected.add(live);
      assertEquals(expected, resumed.copyIds());
      // and every copy handed over on resumption is recorded as fetched, as any other
      for (String id : whileAway) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> auditEventFor("demo-cs", "fetched", start, id) != null);
      }
    } finally {
      resumed.close();
    }
  }

  @Test
  void streamWithAnInvalidLastEventIdIsRefusedWithAProblemDocument() {
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-cs"))
        .accept("text/event-stream")
        .header("Last-Event-ID", "not-a-cursor")
        .get("/api/v1/inbox/stream")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:safehub:problem:invalid-parameter"));
  }

  @Test
  void streamWithoutLastEventIdDeliversOnlyNewCopies() throws Exception {
    // Given a copy for Children's Services committed and already past the live consumer
    LiveStream first = new LiveStream("demo-cs");
    assertEquals(200, first.status);
    first.awaitLive("demo-cs");
    String before = publishAttendance("demo-cs");
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> first.has(before));
    first.close();
    // When a new stream opens without Last-Event-ID
    LiveStream fresh = new LiveStream("demo-cs");
    try {
      assertEquals(200, fresh.status);
      String after = fresh.awaitLive("demo-cs");
      // Then it gets new copies, with their cursors as event ids, and not the earlier one
      assertTrue(fresh.copyIds().contains(after));
      assertFalse(fresh.has(before));
    } finally {
      fresh.close();
    }
  }

  /** The fetch-notice about {@code messageId} in {@code owner}'s inbox, or null. */
  private static JsonNode ownerNotice(String owner, String messageId) {
    JsonNode items =
        TestMessages.readTree(
                given()
                    .auth()
                    .oauth2(Tokens.forClient(owner))
                    .queryParam("limit", 500)
                    .get("/api/v1/inbox")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("items");
    String cursor = null;
    while (!items.isEmpty()) {
      for (JsonNode item : items) {
        if (messageId.equals(item.get("messageId").asText())
            && "fetch-notice".equals(item.get("type").asText())) {
          return item;
        }
        cursor = item.get("cursor").asText();
      }
      items =
          TestMessages.readTree(
                  given()
                      .auth()
                      .oauth2(Tokens.forClient(owner))
                      .queryParam("limit", 500)
                      .queryParam("after", cursor)
                      .get("/api/v1/inbox")
                      .then()
                      .statusCode(200)
                      .extract()
                      .asString())
              .get("items");
    }
    return null;
  }

  private static JsonPath status(String client, String id) {
    return given()
        .auth()
        .oauth2(Tokens.forClient(client))
        .get("/api/v1/messages/" + id + "/status")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }
}
