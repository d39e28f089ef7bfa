package org.safehub.trail;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The auditor's page in a real headless Chromium (Debian's package): a case timeline and the
 * checkpoint's verification.
 */
@QuarkusTest
class AuditorPageIT {

  @TestHTTPResource("/auditor.html")
  URL page;

  @TempDir Path profile;

  @Test
  void pageShowsTheCaseTimelineAndVerifiesTheLatestCheckpointInTheBrowser() throws Exception {
    // Given a case with a delivery and a withheld copy
    String caseRef = "CASE-PAGE-" + UUID.randomUUID().toString().substring(0, 8);
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
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                given()
                    .auth()
                    .oauth2(Tokens.forClient("demo-auditor"))
                    .queryParam("caseRef", caseRef)
                    .get("/api/v1/audit/events")
                    .then()
                    .extract()
                    .asString()
                    .contains("\"withheld\""));
    // a checkpoint covering it
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                given()
                        .auth()
                        .oauth2(Tokens.forClient("demo-auditor"))
                        .get("/api/v1/audit/checkpoints/latest")
                        .statusCode()
                    == 200);
    // When the auditor opens the page in Chromium
    String dom =
        chromium(page + "#token=" + Tokens.forClient("demo-auditor") + "&caseRef=" + caseRef);
    // Then the timeline lists who shared what with whom and what was withheld, and the checkpoint
    // verifies
    assertTrue(dom.contains("signature verified"), dom);
    assertTrue(
        dom.contains("publish-accepted") && dom.contains("delivered") && dom.contains("withheld"),
        dom);
    assertTrue(
        dom.contains("demo-iss")
            && dom.contains("demo-marac")
            && dom.contains("not-permitted-to-receive"),
        dom);
    assertTrue(dom.contains("events for case " + caseRef), dom);
  }

  private String chromium(String url) throws Exception {
    String binary = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    assertTrue(
        binary != null,
        "Debian's chromium is needed for this test: apt-get install chromium (.ci/run installs it)");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=15000",
                "--dump-dom",
                url));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
