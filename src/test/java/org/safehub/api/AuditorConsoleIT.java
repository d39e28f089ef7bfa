package org.safehub.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.safehub.testsupport.Browsers;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The auditor console as people use it: Debian's headless Chromium (Selenium) against the hub with
 * the real Keycloak, Kafka and PostgreSQL; sign-in through Keycloak's own login form.
 */
@QuarkusTest
class AuditorConsoleIT {

  @TestHTTPResource("/auditor/")
  URL console;

  @TempDir Path downloads;

  private final List<ChromeDriver> drivers = new ArrayList<>();

  @AfterEach
  void quit() {
    drivers.forEach(ChromeDriver::quit);
  }

  private ChromeDriver browser() {
    ChromeDriver d = Browsers.chromium(downloads);
    drivers.add(d);
    return d;
  }

  /** The console's address as the browser uses it (127.0.0.1: the realm's loopback redirect). */
  private String at(String path) {
    return "http://127.0.0.1:" + console.getPort() + path;
  }

  private static JsonNode api(String path, Object... query) {
    var req = given().auth().oauth2(Tokens.forClient("demo-auditor"));
    for (int i = 0; i + 1 < query.length; i += 2) {
      req.queryParam((String) query[i], query[i + 1]);
    }
    return TestMessages.readTree(req.get(path).then().statusCode(200).extract().asString());
  }

  /** Publishes a case with traffic (delivered and withheld copies) and waits for its checkpoint. */
  private static String caseWithTraffic() {
    String caseRef = "CASE-CON-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), "demo-marac");
    msg.put("caseRef", caseRef);
    given()
        .auth()
        .oauth2(Tokens.forClient("demo-dvpp"))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    Awaitility.await("the case's copies delivered and withheld")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String page = api("/api/v1/audit/events", "caseRef", caseRef).toString();
              return page.contains("\"delivered\"") && page.contains("\"withheld\"");
            });
    long last = 0;
    for (JsonNode e : api("/api/v1/audit/events", "caseRef", caseRef).get("events")) {
      last = Math.max(last, e.get("seq").asLong());
    }
    long covered = last + 1;
    Awaitility.await("a checkpoint covering the case")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                given()
                            .auth()
                            .oauth2(Tokens.forClient("demo-auditor"))
                            .get("/api/v1/audit/checkpoints/latest")
                            .then()
                            .extract()
                            .statusCode()
                        == 200
                    && api("/api/v1/audit/checkpoints/latest").get("treeSize").asLong() >= covered);
    return caseRef;
  }

  private void signInAs(ChromeDriver d, String user, String password) {
    d.get(at("/auditor/"));
    // the hub sends the browser to the realm's login page: authorization code flow with PKCE
    Browsers.awaitLoginForm(d);
    String login = d.getCurrentUrl();
    assertTrue(login.startsWith(Tokens.issuer() + "/protocol/openid-connect/auth"), login);
    assertTrue(login.contains("code_challenge_method=S256"), login);
    assertTrue(login.contains("client_id=safehub-console"), login);
    Browsers.signIn(d, user, password);
    Browsers.waiting(d).until(ExpectedConditions.urlContains(":" + console.getPort() + "/auditor"));
  }

  private String text(ChromeDriver d, String id) {
    return d.findElement(By.id(id)).getText();
  }

  private Object fetchStatus(ChromeDriver d, String method, String path, String csrf) {
    return d.executeAsyncScript(
        "const cb = arguments[arguments.length - 1];"
            + "const h = {'X-Requested-With': 'JavaScript'};"
            + "if (arguments[2]) { h['X-CSRF-Token'] = arguments[2]; }"
            + "fetch(arguments[1], {method: arguments[0], headers: h, credentials: 'same-origin'})"
            + ".then(r => cb(r.status), e => cb(String(e)));",
        method,
        path,
        csrf);
  }

  @Test
  void auditorSignsInSearchesACaseVerifiesTheLogDownloadsAnExportAndSignsOut() throws Exception {
    // Given a case with traffic, covered by a signed checkpoint
    String caseRef = caseWithTraffic();
    ChromeDriver d = browser();
    // When the auditor signs in through Keycloak's form
    signInAs(d, "auditor", "auditor-demo-password");
    // Then the console greets them by name, with an HttpOnly, SameSite=Lax session cookie
    Browsers.waiting(d)
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "Search the audit log"));
    assertEquals("auditor", text(d, "person"));
    Cookie session =
        d.manage().getCookies().stream()
            .filter(c -> c.getName().startsWith("q_session"))
            .findFirst()
            .orElse(null);
    assertNotNull(session, "session cookie: " + d.manage().getCookies());
    assertTrue(session.isHttpOnly(), "HttpOnly");
    assertEquals("Lax", session.getSameSite());
    assertEquals("/auditor", session.getPath());
    assertTrue(Browsers.seriousViolations(d).isEmpty(), Browsers.seriousViolations(d).toString());

    // When they search the case
    d.findElement(By.id("caseRef")).sendKeys(caseRef);
    new Select(d.findElement(By.id("limit"))).selectByVisibleText("500");
    d.findElement(By.id("run-search")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("search-status"), java.util.regex.Pattern.compile("\\d+ events")));
    List<Long> shown = new ArrayList<>();
    for (WebElement row : d.findElements(By.cssSelector("#events tbody tr"))) {
      shown.add(Long.parseLong(row.getAttribute("data-seq")));
    }
    String table = text(d, "events");
    // Then they see its events, newest first, exactly those the API returns (up to their own query)
    assertTrue(
        table.contains("publish-accepted")
            && table.contains("delivered")
            && table.contains("withheld")
            && table.contains("not-permitted-to-receive"),
        table);
    List<Long> expected = new ArrayList<>();
    for (JsonNode e :
        api("/api/v1/audit/events", "caseRef", caseRef, "limit", "1000").get("events")) {
      if (e.get("seq").asLong() <= shown.get(0)) {
        expected.add(0, e.get("seq").asLong());
      }
    }
    assertEquals(expected, shown);
    // and their query is an audit event naming them, not only the console's client
    JsonNode queries =
        api("/api/v1/audit/events", "caseRef", caseRef, "action", "audit-queried", "limit", "1000");
    boolean named = false;
    for (JsonNode e : queries.get("events")) {
      named |=
          "auditor".equals(e.path("detail").path("person").asText())
              && "safehub-console".equals(e.path("actorClient").asText());
    }
    assertTrue(named, queries.toString());
    // a time is shown in Europe/London with its UTC instant on hover
    WebElement time = d.findElement(By.cssSelector("#events tbody tr time"));
    assertTrue(time.getAttribute("title").startsWith("UTC 20"), time.getAttribute("title"));
    assertTrue(time.getText().matches(".*(GMT|BST).*"), time.getText());

    // UK times typed into the date range are read as Europe/London (BST in summer, GMT in winter)
    assertEquals(
        "2026-07-01T11:00:00.000Z",
        d.executeScript("return Console.londonToUtc('2026-07-01T12:00:00');"));
    assertEquals(
        "2026-12-01T12:00:00.000Z",
        d.executeScript("return Console.londonToUtc('2026-12-01T12:00:00');"));
    // and a range before the case finds none of it
    d.executeScript("document.getElementById('to').value = '2001-01-01T00:00:00';");
    d.findElement(By.id("run-search")).click();
    Browsers.waiting(d)
        .until(ExpectedConditions.textToBe(By.id("search-status"), "No events match."));
    d.executeScript("document.getElementById('to').value = '';");
    d.findElement(By.id("run-search")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("search-status"), java.util.regex.Pattern.compile("\\d+ events")));

    // When they verify the latest checkpoint (first use: the key is pinned)
    d.findElement(By.id("verify")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("verify-result"), java.util.regex.Pattern.compile("VERIFIED")));
    String verdict = text(d, "verify-result");
    String keyId = api("/api/v1/audit/checkpoints/latest").get("keyId").asText();
    // Then the signature verifies in the browser against the pinned key, whose fingerprint is shown
    assertTrue(verdict.startsWith("✓ VERIFIED: the latest checkpoint"), verdict);
    assertTrue(verdict.contains("What was not checked"), verdict);
    assertEquals(keyId, text(d, "pinned-fingerprint").replace(" ", ""));
    assertFalse(d.findElement(By.id("key-warning")).isDisplayed(), "no key warning");
    assertFalse(d.findElement(By.id("repin")).isDisplayed(), "nothing to re-pin");
    // and an event of the case is proven included in the signed log
    long delivered = -1;
    for (JsonNode e :
        api("/api/v1/audit/events", "caseRef", caseRef, "action", "delivered").get("events")) {
      delivered = e.get("seq").asLong();
    }
    WebElement row =
        d.findElement(By.cssSelector("#events tbody tr[data-seq='" + delivered + "']"));
    row.findElement(By.tagName("button")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.cssSelector("#events tbody tr[data-seq='" + delivered + "'] .proof"),
                java.util.regex.Pattern.compile("VERIFIED")));
    String proof = row.findElement(By.className("proof")).getText();
    assertTrue(
        proof.startsWith("✓ VERIFIED: event " + delivered + " as shown is in the signed log"),
        proof);
    screenshot(d);

    // At 200 % zoom (half the width) nothing needs sideways scrolling but the table's own region
    d.manage().window().setSize(new Dimension(640, 1000));
    Object overflow =
        d.executeScript(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertTrue(((Number) overflow).longValue() <= 0, "page wider than the window by " + overflow);
    d.manage().window().setSize(new Dimension(1280, 1000));

    // When they download the export and the public key
    d.findElement(By.id("export")).click();
    d.findElement(By.id("public-key")).click();
    Path export = downloaded(".jsonl");
    Path key = downloaded(".pem");
    // Then the offline verifier accepts the export
    Process verifier =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "safehub-audit-verifier.jar").toString(),
                "--export",
                export.toString(),
                "--public-key",
                key.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(verifier.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(verifier.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, verifier.exitValue(), out);
    assertTrue(out.startsWith("verified: "), out);

    // The page of shares without consent shows the case's justification, opened
    d.get(at("/auditor/without-consent"));
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("swc-status"), java.util.regex.Pattern.compile("copies shown|No copy")));
    assertTrue(Browsers.seriousViolations(d).isEmpty(), Browsers.seriousViolations(d).toString());
    List<WebElement> justifications = d.findElements(By.cssSelector("#shared tbody td.just"));
    assertFalse(justifications.isEmpty(), "the case's copies were delivered without consent");
    for (WebElement j : justifications) {
      assertFalse(
          j.getText().isBlank() || j.getText().startsWith("(no justification"), j.getText());
    }

    // A state-changing request without the session's CSRF token is refused, and changes nothing
    assertEquals(403L, fetchStatus(d, "POST", "/auditor/sign-out", null));
    assertEquals(200L, fetchStatus(d, "GET", "/auditor/api/checkpoint", null));

    // When they sign out
    d.findElement(By.id("sign-out")).click();
    Browsers.waiting(d).until(ExpectedConditions.urlContains("/auditor/signed-out"));
    assertEquals("You have signed out", d.findElement(By.tagName("h1")).getText());
    assertTrue(Browsers.seriousViolations(d).isEmpty(), Browsers.seriousViolations(d).toString());
    // Then the session has ended: the console asks Keycloak for a fresh sign-in
    d.get(at("/auditor/"));
    Browsers.waiting(d).until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    assertTrue(d.getCurrentUrl().startsWith(Tokens.issuer()), d.getCurrentUrl());
  }

  @Test
  void aPersonWithoutTheAuditorRoleIsRefusedWithAPlain403Page() {
    ChromeDriver d = browser();
    // When the worker signs in
    signInAs(d, "worker", "worker-demo-password");
    // Then they get a page saying why, answered 403, and the console's data is closed to them
    Browsers.waiting(d)
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "You are not an auditor"));
    assertTrue(text(d, "refusal").contains("worker"), text(d, "refusal"));
    assertEquals(403L, fetchStatus(d, "GET", "/auditor/", null));
    assertEquals(403L, fetchStatus(d, "GET", "/auditor/api/events?caseRef=CASE-ANY", null));
    assertEquals(403L, fetchStatus(d, "GET", "/auditor/api/export", null));
    assertEquals(403L, fetchStatus(d, "GET", "/auditor/response-times", null));
    assertEquals(403L, fetchStatus(d, "GET", "/auditor/api/response-times", null));
    assertTrue(Browsers.seriousViolations(d).isEmpty(), Browsers.seriousViolations(d).toString());
    // and the refusal is audited, naming them
    boolean named = false;
    JsonNode page = api("/api/v1/audit/events", "action", "forbidden", "limit", "1000");
    while (true) {
      for (JsonNode e : page.get("events")) {
        named |= "worker".equals(e.path("detail").path("person").asText());
      }
      if (named || page.get("nextAfter").isNull()) {
        break;
      }
      page =
          api(
              "/api/v1/audit/events",
              "action",
              "forbidden",
              "limit",
              "1000",
              "after",
              page.get("nextAfter").asText());
    }
    assertTrue(named, "a forbidden event naming the worker");
  }

  @Test
  void aTamperedCheckpointFailsVerificationInTheBrowser() {
    caseWithTraffic();
    ChromeDriver d = browser();
    signInAs(d, "auditor", "auditor-demo-password");
    Browsers.waiting(d)
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "Search the audit log"));
    // The console is keyboard operable with a visible focus: the first Tab reaches the skip link
    new Actions(d).sendKeys(Keys.TAB).perform();
    WebElement focused = d.switchTo().activeElement();
    assertEquals("Skip to main content", focused.getText());
    assertEquals("solid", focused.getCssValue("outline-style"));
    // Given the checkpoint endpoint answers a checkpoint whose root was changed after signing
    System.setProperty(TamperedCheckpointDouble.FLAG, "true");
    try {
      // (verified from the keyboard)
      d.findElement(By.id("verify")).sendKeys(Keys.ENTER);
      Browsers.waiting(d)
          .until(
              ExpectedConditions.textMatches(
                  By.id("verify-result"), java.util.regex.Pattern.compile("VERIFIED")));
    } finally {
      System.clearProperty(TamperedCheckpointDouble.FLAG);
    }
    // Then the browser says it failed, plainly
    String verdict = text(d, "verify-result");
    assertTrue(verdict.startsWith("✗ NOT VERIFIED: the latest checkpoint"), verdict);
    assertTrue(verdict.contains("signature does not verify with the pinned key"), verdict);
    // and, untampered, the same checkpoint verifies again
    d.findElement(By.id("verify")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("verify-result"), java.util.regex.Pattern.compile("^✓ VERIFIED")));
  }

  @Test
  void aChangedAuditKeyIsALoudWarningAndNothingVerifiesAgainstTheNewKey() {
    caseWithTraffic();
    ChromeDriver d = browser();
    signInAs(d, "auditor", "auditor-demo-password");
    Browsers.waiting(d)
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "Search the audit log"));
    // Given this browser pinned another P-256 key earlier
    d.executeAsyncScript(
        "const cb = arguments[arguments.length - 1];"
            + "crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['sign', 'verify'])"
            + ".then(k => crypto.subtle.exportKey('spki', k.publicKey))"
            + ".then(spki => { let s = ''; new Uint8Array(spki).forEach(b => s += String.fromCharCode(b));"
            + " localStorage.setItem('safehub.audit.pinnedKey.v1', JSON.stringify({fingerprint: 'ffffffffffffffffffffffffffffffff', spki: btoa(s)})); cb(true); });");
    // When the auditor verifies
    d.findElement(By.id("verify")).click();
    Browsers.waiting(d)
        .until(
            ExpectedConditions.textMatches(
                By.id("verify-result"), java.util.regex.Pattern.compile("VERIFIED")));
    // Then a loud warning names both keys and the checkpoint is not verified
    WebElement warning = d.findElement(By.id("key-warning"));
    assertTrue(warning.isDisplayed());
    assertEquals("alert", warning.getAttribute("role"));
    assertTrue(
        warning.getText().startsWith("WARNING: the hub now presents a DIFFERENT audit key"),
        warning.getText());
    assertTrue(text(d, "verify-result").startsWith("✗ NOT VERIFIED"), text(d, "verify-result"));
    assertTrue(d.findElement(By.id("repin")).isDisplayed(), "the auditor may decide to re-pin");
  }

  private Path downloaded(String suffix) throws Exception {
    Path[] found = new Path[1];
    Awaitility.await("a downloaded " + suffix)
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              try (Stream<Path> files = Files.list(downloads)) {
                found[0] =
                    files
                        .filter(p -> p.getFileName().toString().endsWith(suffix))
                        .findFirst()
                        .orElse(null);
              }
              return found[0] != null;
            });
    return found[0];
  }

  /** The README's screenshot: target/ always; src/docs/ with -Dsafehub.docs.screenshot=true. */
  private static void screenshot(ChromeDriver d) throws Exception {
    d.manage().window().setSize(new Dimension(1280, 1700));
    d.executeScript("window.scrollTo(0, 0)");
    File shot = d.getScreenshotAs(OutputType.FILE);
    d.manage().window().setSize(new Dimension(1280, 1000));
    Files.createDirectories(Path.of("target"));
    Files.copy(
        shot.toPath(),
        Path.of("target", "auditor-console.png"),
        StandardCopyOption.REPLACE_EXISTING);
    if (Boolean.getBoolean("safehub.docs.screenshot")) {
      Files.copy(
          shot.toPath(),
          Path.of("src", "docs", "auditor-console.png"),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
