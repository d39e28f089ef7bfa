package org.safehub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens for the demo clients from the test Keycloak, as an agency would get them (client
 * credentials with the demo secret {@code <clientId>-demo-secret}), cached so tests do not mint one
 * per request.
 */
public final class Tokens {

  private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();

  private record Token(String value, Instant expires) {
    boolean fresh() {
      return Instant.now().isBefore(expires.minus(RENEW_BEFORE_EXPIRY));
    }
  }

  private Tokens() {}

  /**
   * A bearer token for {@code clientId} from the running test Keycloak, reused until 60 s before it
   * expires.
   */
  public static String forClient(String clientId) {
    String issuer = issuer();
    Token cached = CACHE.get(issuer + " " + clientId);
    if (cached != null && cached.fresh()) {
      return cached.value();
    }
    Token token = request(issuer, clientId);
    CACHE.put(issuer + " " + clientId, token);
    return token.value();
  }

  /** The issuer of the test realm, as the hub is configured to trust it. */
  public static String issuer() {
    return ComponentsResource.endpoints().issuer();
  }

  /**
   * A fresh (uncached) client-credentials token for {@code clientId} from the realm at {@code
   * issuer}.
   */
  public static String fetch(String issuer, String clientId) {
    return request(issuer, clientId).value();
  }

  /** The decoded payload (claims) of a JWT; the signature is not checked. */
  public static JsonNode payload(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a JWS compact serialization");
    }
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException e) {
      throw new IllegalArgumentException("JWT payload is not JSON", e);
    }
  }

  private static Token request(String issuer, String clientId) {
    String form =
        "grant_type=client_credentials"
            + "&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(clientId + "-demo-secret", StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    Instant asked = Instant.now();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "token request for " + clientId + " to " + issuer + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a token request", e);
    }
    if (response.statusCode() != 200) {
      // Keycloak's error bodies name the error, never the secret.
      throw new IllegalStateException(
          "token request for "
              + clientId
              + " got HTTP "
              + response.statusCode()
              + ": "
              + response.body());
    }
    try {
      JsonNode body = JSON.readTree(response.body());
      String accessToken = body.path("access_token").asText(null);
      if (accessToken == null) {
        throw new IllegalStateException("token response for " + clientId + " has no access_token");
      }
      return new Token(accessToken, asked.plusSeconds(body.path("expires_in").asLong(0)));
    } catch (IOException e) {
      throw new IllegalStateException("token response for " + clientId + " is not JSON", e);
    }
  }
}
