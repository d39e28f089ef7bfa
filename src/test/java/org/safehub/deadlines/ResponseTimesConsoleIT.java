package org.safehub.deadlines;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.safehub.deadlines.EscalationSupport.ack;
import static org.safehub.deadlines.EscalationSupport.publish;
import static org.safehub.deadlines.EscalationSupport.recipient;
import static org.safehub.deadlines.EscalationSupport.states;
import static org.safehub.deadlines.EscalationSupport.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.safehub.testsupport.Browsers;
import org.safehub.testsupport.TestClocks;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The auditor console's response-time table (issue 13 on the console of issue 15): a signed-in
 * auditor sees, per agency, the same figures as {@code GET /api/v1/audit/response-times}, in a real
 * browser against the real stack.
 */
@QuarkusTest
class ResponseTimesConsoleIT {

  private static final ZoneId LONDON = ZoneId.of("Europe/London");
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  @TestHTTPResource("/auditor/")
  URL console;

  @Inject DataSource ds;

  @TempDir Path downloads;

  private ChromeDriver driver;

  @AfterEach
  void cleanUp() {
    TestClocks.reset();
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  void theConsoleShowsEachAgencysCopiesDueInTimeLateOverdueAndTimesToAcknowledge()
      throws Exception {
    // Given two immediate alerts
    String first = alert();
    String second = alert();
    Instant deadline1 = deadline(first);
    Instant deadline2 = deadline(second);
    // Children's Services acknowledges the first after 10 minutes (in time), never the second;
    // the MASH acknowledges the second 2 minutes after its deadline (late), never the first
    TestClocks.CLOCK.now = accepted(first).plus(Duration.ofMinutes(10));
    ack("demo-cs", first);
    TestClocks.CLOCK.now = deadline2.plus(Duration.ofMinutes(2));
    ack("demo-mash", second);
    Instant from = deadline1.isBefore(deadline2) ? deadline1 : deadline2;
    Instant last = deadline1.isBefore(deadline2) ? deadline2 : deadline1;
    TestClocks.CLOCK.now = last.plus(Duration.ofMinutes(5));
    from = from.truncatedTo(ChronoUnit.SECONDS);
    Instant to = last.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    long queriesBefore = consoleQueries();

    // When the auditor opens the console's response times for the period of those deadlines
    driver = Browsers.chromium(downloads);
    driver.get(at("/auditor/"));
    Browsers.signIn(driver, "auditor", "auditor-demo-password");
    Browsers.waiting(driver)
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "Search the audit log"));
    driver.findElement(By.linkText("Response times")).click();
    Browsers.waiting(driver).until(ExpectedConditions.textToBe(By.tagName("h1"), "Response times"));
    Browsers.waiting(driver)
        .until(
            ExpectedConditions.textMatches(
                By.id("rt-status"), java.util.regex.Pattern.compile("shown|No copy")));
    driver.executeScript(
        "document.getElementById('rt-tables').textContent = '';"
            + "document.getElementById('rt-status').textContent = '';"
            + "document.getElementById('from').value = arguments[0];"
            + "document.getElementById('to').value = arguments[1];",
        london(from),
        london(to));
    driver.findElement(By.id("type")).sendKeys("child-protection-alert");
    driver.findElement(By.id("show")).click();
    Browsers.waiting(driver)
        .until(
            ExpectedConditions.textMatches(
                By.id("rt-status"), java.util.regex.Pattern.compile("shown")));

    // Then a table per agency, in words and numbers (no colour carries meaning)
    assertEquals(
        List.of("demo-cs", "demo-mash"),
        driver.findElements(By.cssSelector("table.rt")).stream()
            .map(t -> t.getAttribute("data-agency"))
            .sorted()
            .toList());
    assertEquals(
        Map.of(
            "due", "2",
            "in-time", "1",
            "late", "0",
            "overdue", "1",
            "median", "10 min",
            "p90", "10 min"),
        shown("demo-cs"));
    assertEquals(
        Map.of(
            "due", "2",
            "in-time", "0",
            "late", "1",
            "overdue", "1",
            "median", "1 h 2 min",
            "p90", "1 h 2 min"),
        shown("demo-mash"));
    WebElement table = driver.findElement(By.cssSelector("table.rt[data-agency='demo-cs']"));
    assertTrue(
        table.findElement(By.tagName("caption")).getText().startsWith("Agency demo-cs"),
        table.findElement(By.tagName("caption")).getText());
    assertEquals(7, table.findElements(By.cssSelector("thead th[scope='col']")).size());
    assertEquals(
        "child-protection-alert",
        table.findElement(By.cssSelector("tbody th[scope='row']")).getText());
    // the same figures as the bearer-token API for the same parameters
    var api =
        given()
            .auth()
            .oauth2(Tokens.forClient("demo-auditor"))
            .queryParam("from", from.toString())
            .queryParam("to", to.toString())
            .queryParam("type", "child-protection-alert")
            .get("/api/v1/audit/response-times")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    for (Map<String, Object> r : api.<Map<String, Object>>getList("agencies")) {
      Map<String, String> s = shown((String) r.get("agency"));
      assertEquals(String.valueOf(r.get("due")), s.get("due"));
      assertEquals(String.valueOf(r.get("acknowledgedInTime")), s.get("in-time"));
      assertEquals(String.valueOf(r.get("acknowledgedLate")), s.get("late"));
      assertEquals(String.valueOf(r.get("overdue")), s.get("overdue"));
    }
    // and each console query is an audit event naming the person
    assertTrue(consoleQueries() >= queriesBefore + 2, "the page's queries, audited by name");
    // and the page passes an axe-core scan
    assertTrue(
        Browsers.seriousViolations(driver).isEmpty(),
        Browsers.seriousViolations(driver).toString());

    // Bad parameters are refused as by the API, and shown in words
    assertEquals(400L, fetchStatus("/auditor/api/response-times?agency=Demo%20CS!"));
    assertEquals(400L, fetchStatus("/auditor/api/response-times?from=yesterday"));
    driver.findElement(By.id("agency")).sendKeys("Demo CS!");
    driver.findElement(By.id("show")).click();
    Browsers.waiting(driver)
        .until(
            ExpectedConditions.textMatches(
                By.id("rt-status"), java.util.regex.Pattern.compile("^Could not load: .*400")));
  }

  private static String alert() {
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
    return id;
  }

  private static Instant deadline(String id) {
    return Instant.parse(recipient(status("demo-iss", id), "demo-cs").get("deadline").toString());
  }

  private static Instant accepted(String id) {
    return Instant.parse(status("demo-iss", id).getString("receivedAt"));
  }

  private static String london(Instant t) {
    return LocalDateTime.ofInstant(t, LONDON).format(LOCAL);
  }

  private String at(String path) {
    return "http://127.0.0.1:" + console.getPort() + path;
  }

  /** One agency's row for child-protection-alert as the page shows it, by column. */
  private Map<String, String> shown(String agency) {
    WebElement row =
        driver.findElement(
            By.cssSelector(
                "table.rt[data-agency='" + agency + "'] tr[data-type='child-protection-alert']"));
    String[] columns = {"due", "in-time", "late", "overdue", "median", "p90"};
    Map<String, String> out = new TreeMap<>();
    for (String c : columns) {
      out.put(c, row.findElement(By.className(c)).getText());
    }
    return out;
  }

  private Object fetchStatus(String path) {
    return driver.executeAsyncScript(
        "const cb = arguments[arguments.length - 1];"
            + "fetch(arguments[0], {headers: {'X-Requested-With': 'JavaScript'},"
            + " credentials: 'same-origin'}).then(r => cb(r.status), e => cb(String(e)));",
        path);
  }

  private long consoleQueries() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from audit_event where action = 'audit-queried'"
                    + " and event_json like '%\"query\":\"response-times\"%'"
                    + " and event_json like '%\"person\":\"auditor\"%'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
