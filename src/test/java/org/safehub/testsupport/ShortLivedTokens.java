package org.safehub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.safehub.devstack.DevStack;

/**
 * Genuine tokens of the test realm that expire within a second: the client's access-token lifespan
 * is set to 1 s through Keycloak's admin API for one token request, then put back.
 */
public final class ShortLivedTokens {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String LIFESPAN = "access.token.lifespan";

  private ShortLivedTokens() {}

  /** A client-credentials token of {@code clientId} valid for one second. */
  public static synchronized String oneSecond(String clientId) {
    DevStack.KeycloakAdmin admin = ComponentsResource.keycloakAdmin();
    if (admin == null) {
      throw new IllegalStateException("no Keycloak administrator known (container components?)");
    }
    String base = ComponentsResource.endpoints().keycloakBaseUrl();
    String adminToken =
        send(HttpRequest.newBuilder(
                    URI.create(base + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username="
                            + enc(admin.user())
                            + "&password="
                            + enc(admin.password()))))
            .path("access_token")
            .asText();
    String clients = base + "/admin/realms/safehub/clients";
    ObjectNode client =
        (ObjectNode)
            send(HttpRequest.newBuilder(URI.create(clients + "?clientId=" + enc(clientId)))
                    .header("Authorization", "Bearer " + adminToken)
                    .GET())
                .get(0);
    String id = client.path("id").asText();
    ObjectNode attributes = client.with("attributes");
    String before = attributes.has(LIFESPAN) ? attributes.get(LIFESPAN).asText() : null;
    attributes.put(LIFESPAN, "1");
    put(clients + "/" + id, adminToken, client);
    try {
      return Tokens.fetch(ComponentsResource.endpoints().issuer(), clientId);
    } finally {
      // back as it was; a client without its own lifespan gets the realm's, which is the same
      String realmLifespan =
          send(HttpRequest.newBuilder(URI.create(base + "/admin/realms/safehub"))
                  .header("Authorization", "Bearer " + adminToken)
                  .GET())
              .path("accessTokenLifespan")
              .asText();
      attributes.put(LIFESPAN, before != null ? before : realmLifespan);
      put(clients + "/" + id, adminToken, client);
    }
  }

  private static void put(String url, String token, JsonNode body) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException("PUT " + url + " -> " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              request.timeout(Duration.ofSeconds(15)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("Keycloak admin request -> " + r.statusCode());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
