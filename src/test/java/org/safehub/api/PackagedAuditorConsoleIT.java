package org.safehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.HubProcess;
import org.safehub.devstack.Ports;
import org.safehub.testsupport.Browsers;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.Tokens;

/**
 * The auditor console of the packaged hub (production profile, as the dev stack starts it): the
 * console sends people to Keycloak with PKCE, and a person signs in there.
 */
class PackagedAuditorConsoleIT {

  private static Process hub;
  private static URI base;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @TempDir Path downloads;

  @BeforeAll
  static void packagedHub() {
    new ComponentsResource().start(); // the run's shared Kafka, PostgreSQL and Keycloak
    DevStack.Endpoints stack = ComponentsResource.endpoints();
    int port = Ports.free();
    hub =
        HubProcess.start(
            HubProcess.command(
                List.of(
                    "-Xmx512m",
                    "-Dsafehub.kafka.topic-prefix=console-packaged.",
                    "-Dsafehub.instance-id=console-packaged",
                    "-Dquarkus.log.level=WARN"),
                stack,
                port,
                Path.of("target", "test-data"),
                Path.of("target", "quarkus-app", "quarkus-run.jar")));
    base = URI.create("http://127.0.0.1:" + port);
    Awaitility.await("packaged hub ready")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> status(get("/q/health/ready")) == 200);
  }

  @AfterAll
  static void stop() {
    if (hub != null) {
      HubProcess.stop(hub);
    }
  }

  private static HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  private static int status(HttpResponse<?> r) {
    return r == null ? -1 : r.statusCode();
  }

  @Test
  void theConsoleRedirectsToKeycloakWithPkceAndAStrictCookie() {
    // When a browser without a session opens the console
    HttpResponse<String> r = get("/auditor/");
    // Then it is sent to the realm's login page, authorization code flow with PKCE (S256)
    assertEquals(302, r.statusCode(), r.body());
    String location = r.headers().firstValue("Location").orElse("");
    assertTrue(location.startsWith(Tokens.issuer() + "/protocol/openid-connect/auth?"), location);
    assertTrue(location.contains("response_type=code"), location);
    assertTrue(location.contains("client_id=safehub-console"), location);
    assertTrue(location.contains("code_challenge="), location);
    assertTrue(location.contains("code_challenge_method=S256"), location);
    // with its state in an HttpOnly, SameSite=Lax cookie limited to the console
    String cookie =
        r.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("q_auth"))
            .findFirst()
            .orElse("");
    assertTrue(cookie.toLowerCase(Locale.ROOT).contains("httponly"), cookie);
    assertTrue(cookie.contains("SameSite=Lax"), cookie);
    assertTrue(cookie.contains("Path=/auditor"), cookie);
    // and the console's pages carry a strict Content-Security-Policy
    HttpResponse<String> out = get("/auditor/signed-out");
    assertEquals(200, out.statusCode());
    String csp = out.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
    // and the old token-pasting page now leads to the console
    HttpResponse<String> old = get("/auditor.html");
    assertEquals(301, old.statusCode());
    assertEquals(
        "/auditor/", old.headers().firstValue("Location").orElse("").replace(base.toString(), ""));
  }

  @Test
  void anAuditorSignsInToThePackagedHub() {
    ChromeDriver d = Browsers.chromium(downloads);
    try {
      d.get(base + "/auditor/");
      Browsers.signIn(d, "auditor", "auditor-demo-password");
      Browsers.waiting(d)
          .until(ExpectedConditions.textToBe(By.tagName("h1"), "Search the audit log"));
      assertEquals("auditor", d.findElement(By.id("person")).getText());
    } finally {
      d.quit();
    }
  }
}
