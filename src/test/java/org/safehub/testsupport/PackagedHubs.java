package org.safehub.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;

/** What the tests that start a packaged hub ({@code HubProcess}) share. */
public final class PackagedHubs {

  private PackagedHubs() {}

  /**
   * Waits (at most 2 minutes, looking every half second) until the hub at {@code base} answers 200
   * on {@code /q/health/ready}; returns {@code base}.
   */
  public static URI awaitReady(URI base, String name) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(base.resolve("/q/health/ready")).build();
    Awaitility.await(name + " ready")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
              } catch (Exception e) {
                return false;
              }
            });
    return base;
  }
}
