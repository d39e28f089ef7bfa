package org.safehub.deadlines;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.deadlines.EscalationSupport.ack;
import static org.safehub.deadlines.EscalationSupport.publish;
import static org.safehub.deadlines.EscalationSupport.recipient;
import static org.safehub.deadlines.EscalationSupport.states;
import static org.safehub.deadlines.EscalationSupport.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.safehub.delivery.ResponseTimes;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The partnership sees its response times (issue 13): per agency and message type, copies due,
 * acknowledged in time, late, still overdue, and the median and 90th-percentile time to
 * acknowledge, for auditors only, and the same as Prometheus gauges.
 */
@QuarkusTest
class ResponseTimesIT {

  @Inject DataSource ds;
  @Inject ResponseTimes responseTimes;

  @AfterEach
  void clockBack() {
    TestClocks.reset();
  }

  @Test
  void auditorSeesEachAgencysCopiesDueInTimeLateOverdueAndTimeToAcknowledge() {
    // Given an immediate alert: the MASH acknowledges after 10 minutes, Children's Services 90
    // minutes in (half an hour late)
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    String id = publish("demo-iss", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var s = states(status("demo-iss", id));
              return s.size() == 2 && s.values().stream().allMatch("delivered"::equals);
            });
    JsonPath st = status("demo-iss", id);
    Instant accepted = Instant.parse(st.getString("receivedAt"));
    Instant deadline = Instant.parse(recipient(st, "demo-cs").get("deadline").toString());
    TestClocks.CLOCK.now = accepted.plus(Duration.ofMinutes(10));
    ack("demo-mash", id);
    TestClocks.CLOCK.now = accepted.plus(Duration.ofMinutes(90));
    ack("demo-cs", id);

    // When an auditor asks for the copies due at exactly that deadline
    JsonPath report = report(deadline, deadline.plusNanos(1000), null);
    // Then each agency has one copy due, the MASH's in time, Children's Services' late
    Map<String, Object> cs = row(report, "demo-cs");
    assertEquals(1, cs.get("due"));
    assertEquals(0, cs.get("acknowledgedInTime"));
    assertEquals(1, cs.get("acknowledgedLate"));
    assertEquals(0, cs.get("overdue"));
    assertEquals(5400.0f, ((Number) cs.get("medianSecondsToAcknowledge")).floatValue());
    assertEquals(5400.0f, ((Number) cs.get("p90SecondsToAcknowledge")).floatValue());
    Map<String, Object> mash = row(report, "demo-mash");
    assertEquals(1, mash.get("acknowledgedInTime"));
    assertEquals(600.0f, ((Number) mash.get("medianSecondsToAcknowledge")).floatValue());
    // and one agency alone when asked for it
    assertEquals(
        1, report(deadline, deadline.plusNanos(1000), "demo-cs").getList("agencies").size());

    // When the metrics are read (the clock within their 30-day window)
    responseTimes.refreshMetrics();
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    // Then the same figures are Prometheus gauges labelled by agency id and message type only
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("safehub_response_copies{")
                        && l.contains("agency=\"demo-cs\"")
                        && l.contains("outcome=\"late\"")
                        && l.contains("type=\"child-protection-alert\"")
                        && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1),
        "no late gauge for demo-cs");
    assertTrue(
        metrics.lines().anyMatch(l -> l.startsWith("safehub_response_acknowledge_seconds{")),
        "no time-to-acknowledge gauge");
  }

  @Test
  void stillOverdueCopiesAreCountedAsOverdue() {
    ObjectNode msg = TestMessages.example("child-protection-alert");
    msg.put("priority", "immediate");
    String id = publish("demo-iss", msg);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> states(status("demo-iss", id)).size() == 2);
    Instant deadline =
        Instant.parse(recipient(status("demo-iss", id), "demo-cs").get("deadline").toString());
    TestClocks.CLOCK.now = deadline.plusSeconds(60);
    Map<String, Object> cs = row(report(deadline, deadline.plusNanos(1000), "demo-cs"), "demo-cs");
    assertEquals(1, cs.get("overdue"));
    assertEquals(0, cs.get("acknowledgedLate"));
    assertTrue(!cs.containsKey("medianSecondsToAcknowledge"), "nothing acknowledged");
  }

  @Test
  void badParametersAreProblemDocumentsAndOnlyAuditorsMayAsk() throws Exception {
    long before = responseTimeQueries();
    for (String[] q :
        new String[][] {
          {"from", "yesterday"},
          {"to", "2026-13-01T00:00:00Z"},
          {"agency", "Demo CS!"},
          {"type", "<script>"}
        }) {
      given()
          .auth()
          .oauth2(Tokens.forClient("demo-auditor"))
          .queryParam(q[0], q[1])
          .get("/api/v1/audit/response-times")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("type", equalTo("urn:safehub:problem:invalid-parameter"))
          .body("violations[0].pointer", equalTo("/" + q[0]));
    }
    // a period that ends before it starts, or is longer than a year
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .queryParam("from", "2026-11-02T00:00:00Z")
        .queryParam("to", "2026-11-01T00:00:00Z")
        .get("/api/v1/audit/response-times")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .queryParam("from", "2024-01-01T00:00:00Z")
        .queryParam("to", "2026-11-01T00:00:00Z")
        .get("/api/v1/audit/response-times")
        .then()
        .statusCode(400);
    // an agency may not see the partnership's figures
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-mash"))
        .get("/api/v1/audit/response-times")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    // an auditor's query is answered, and audited
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-auditor"))
        .get("/api/v1/audit/response-times")
        .then()
        .statusCode(200);
    assertEquals(before + 1, responseTimeQueries());
  }

  private static JsonPath report(Instant from, Instant to, String agency) {
    var req =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .queryParam("from", from.toString())
            .queryParam("to", to.toString())
            .queryParam("type", "child-protection-alert");
    if (agency != null) {
      req = req.queryParam("agency", agency);
    }
    return req.get("/api/v1/audit/response-times").then().statusCode(200).extract().jsonPath();
  }

  private static Map<String, Object> row(JsonPath report, String agency) {
    List<Map<String, Object>> rows = report.getList("agencies");
    return rows.stream()
        .filter(r -> agency.equals(r.get("agency")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + agency + " in " + rows));
  }

  private long responseTimeQueries() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from audit_event where action = 'audit-queried'"
                    + " and event_json like '%\"query\":\"response-times\"%'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
