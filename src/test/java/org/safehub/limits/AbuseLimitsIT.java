package org.safehub.limits;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.devstack.DevStack;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The hub cannot be flooded: an agency over its rate gets {@code 429} with {@code Retry-After}; a
 * flood of requests without a valid token from one address is refused, adds only a bounded number
 * of audit events (one aggregated event with a count stands for the rest), and leaves the hub
 * healthy and serving callers with valid tokens. Runs under its own profile: a low agency rate and
 * a short audit window keep it cheap.
 */
@QuarkusTest
@TestProfile(AbuseLimitsIT.LowLimits.class)
class AbuseLimitsIT {

  private static final int FLOOD = 20_000;
  private static final int PER_SOURCE_PER_WINDOW = 50;
  private static final String REFUSAL_ACTIONS =
      "('auth-denied', 'forbidden', 'publish-rejected', 'request-refused')";

  /** A small agency rate (10 requests, then 5 a second) and a 10 s audit window. */
  public static class LowLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "safehub.limits.agency.per-second", "5",
          "safehub.limits.agency.burst", "10",
          "safehub.limits.audit-per-caller-per-window", Integer.toString(PER_SOURCE_PER_WINDOW),
          "safehub.limits.audit-window", "PT10S");
    }
  }

  @TestHTTPResource("/")
  URL hub;

  @Test
  void eachMessageOfABatchCountsAgainstItsAgencysRate() {
    // Given an agency with a full bucket (burst 10): a batch of 12 messages needs 12 requests'
    // worth, more than the burst (with 11, the token the request itself took could come back
    // while a slow machine reads the body, and the batch would fit)
    String token = Tokens.forClient("demo2-dvpp");
    given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .body(attendanceBatch(12))
        .post("/api/v1/messages/batch")
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    // and nothing of the refused batch was taken: a batch of 5 still fits in what is left
    given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .body(attendanceBatch(5))
        .post("/api/v1/messages/batch")
        .then()
        .statusCode(200);
  }

  private static String attendanceBatch(int n) {
    List<Object> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      messages.add(TestMessages.example("attendance"));
    }
    return TestMessages.json(messages);
  }

  @Test
  void anAgencyOverItsRateGets429WithRetryAfterWhileOtherAgenciesAreServed() {
    // Given demo-mash sends requests faster than its rate (burst 10, then 5 per second)
    String mash = Tokens.forClient("demo-mash");
    List<Response> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(given().auth().oauth2(mash).get("/api/v1/keys/own"));
    }
    // Then the first are served, and later ones are refused with 429, a Retry-After and a problem
    // document
    assertEquals(200, answers.get(0).statusCode());
    Response refused =
        answers.stream()
            .filter(r -> r.statusCode() == 429)
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no 429 in 40 quick requests from one agency over a rate of 5/s with a burst of 10"));
    assertTrue(
        Integer.parseInt(refused.header("Retry-After")) >= 1,
        "Retry-After: " + refused.header("Retry-After"));
    assertEquals("application/problem+json", refused.contentType().replaceAll(";.*", ""));
    assertTrue(refused.jsonPath().getString("type").endsWith("rate-limited"), refused.asString());
    assertEquals(429, refused.jsonPath().getInt("status"));
    // and another agency, at the same moment, is served: the limit is per agency
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-cs"))
        .get("/api/v1/keys/own")
        .then()
        .statusCode(200);
    // and the refusal is audited against the agency
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count(
                        "select count(*) from audit_event where actor_agency = 'demo-mash' and event_json::jsonb ->> 'reason' = 'rate-limited'",
                        0)
                    > 0);
  }

  @Test
  void anUnauthenticatedFloodIsRefusedAddsBoundedAuditEventsAndValidPublishersAreStillServed()
      throws Exception {
    // Given the audit log as it is now
    long before = count("select coalesce(max(seq), -1) from audit_event", 0);
    String publisher = Tokens.forClient("demo-dvpp");
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    URI inbox = hub.toURI().resolve("/api/v1/inbox");
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    AtomicInteger retryAfterMissing = new AtomicInteger();
    List<Integer> publishes = new ArrayList<>();

    // When 20,000 requests without a valid token come from one address, 32 at a time (half with no
    // token,
    // half with a forged one), while a publisher with a valid token from the same address publishes
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < FLOOD; i++) {
      inFlight.acquire();
      HttpRequest.Builder req = HttpRequest.newBuilder(inbox).timeout(Duration.ofSeconds(30)).GET();
      if (i % 2 == 1) {
        req.header("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
      }
      all.add(
          http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding())
              .whenComplete(
                  (r, e) -> {
                    inFlight.release();
                    if (r != null) {
                      byStatus
                          .computeIfAbsent(r.statusCode(), s -> new AtomicInteger())
                          .incrementAndGet();
                      if (r.statusCode() == 429
                          && r.headers().firstValue("Retry-After").isEmpty()) {
                        retryAfterMissing.incrementAndGet();
                      }
                    }
                  }));
      if (i % 4000 == 2000) {
        publishes.add(
            given()
                .auth()
                .oauth2(publisher)
                .contentType("application/json")
                .body(TestMessages.json(TestMessages.example("attendance")))
                .post("/api/v1/messages")
                .statusCode());
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

    // Then every request was refused (401 until the source's budget ran out, then 429 with
    // Retry-After)
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    byStatus.forEach((s, n) -> statuses.put(s, n.get()));
    assertEquals(
        FLOOD,
        statuses.getOrDefault(401, 0) + statuses.getOrDefault(429, 0),
        "statuses " + statuses);
    assertTrue(statuses.getOrDefault(429, 0) > FLOOD / 2, "the flood is rate-limited: " + statuses);
    assertEquals(0, retryAfterMissing.get(), "every 429 carries Retry-After");
    // the publisher with a valid token was served throughout, and the hub is healthy
    assertEquals(List.of(202, 202, 202, 202, 202), publishes, "valid publishes during the flood");
    given().get("/q/health/ready").then().statusCode(200);
    given()
        .auth()
        .oauth2(publisher)
        .contentType("application/json")
        .body(TestMessages.json(TestMessages.example("attendance")))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    // and the audit log grew by at most a few hundred events for the flood, with aggregated events
    // (once their window closed) that account for every refusal not audited one by one
    String flood =
        " from audit_event where seq > ? and actor_agency is null and action in " + REFUSAL_ACTIONS;
    // (a refusal made on the event loop is audited from a worker thread, so its event may land
    // after its answer: both counts are read until they settle)
    String oneByOneSql =
        "select count(*)" + flood + " and event_json::jsonb -> 'detail' ->> 'aggregated' is null";
    String aggregatedSql =
        "select coalesce(sum((event_json::jsonb -> 'detail' ->> 'count')::bigint), 0)"
            + flood
            + " and event_json::jsonb -> 'detail' ->> 'aggregated' = 'true'";
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              long oneByOne = count(oneByOneSql, before);
              long aggregated = count(aggregatedSql, before);
              assertEquals(
                  FLOOD,
                  oneByOne + aggregated,
                  "one by one " + oneByOne + " + aggregated " + aggregated);
            });
    long oneByOne = count(oneByOneSql, before);
    assertTrue(oneByOne <= 300, "refusals audited one by one: " + oneByOne);
    System.out.println(
        "AbuseLimitsIT: flood answered "
            + statuses
            + "; audited one by one "
            + oneByOne
            + ", the rest in aggregated events");
  }

  /** The single number {@code sql} selects; its one parameter, if any, is {@code afterSeq}. */
  private static long count(String sql, long afterSeq) throws Exception {
    DevStack.Endpoints db = ComponentsResource.endpoints();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.dbUser(), db.dbPassword());
        PreparedStatement s = c.prepareStatement(sql)) {
      if (sql.contains("?")) {
        s.setLong(1, afterSeq);
      }
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
