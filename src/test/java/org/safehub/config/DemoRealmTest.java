package org.safehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.DemoAgencies;
import org.safehub.testsupport.TestMessages;

/**
 * The demo Keycloak realm matches deploy/config/agencies.yaml: every registered agency, in either
 * demo area, has a client whose tokens say which agency it is and are meant for the hub, and whose
 * service account may publish and subscribe.
 */
class DemoRealmTest {

  static final Path REALM = Path.of("deploy", "keycloak", "safehub-realm.json");

  static JsonNode realm() throws IOException {
    return TestMessages.readTree(Files.readString(REALM));
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      if (value.equals(n.path(field).asText())) {
        return n;
      }
    }
    return null;
  }

  @Test
  void bothDemoAreasHaveTheirFiveAgencies() {
    assertEquals(
        List.of("demo-dvpp", "demo-iss", "demo-cs", "demo-mash", "demo-marac"),
        DemoAgencies.inArea("E08000026"));
    assertEquals(
        List.of("demo2-dvpp", "demo2-iss", "demo2-cs", "demo2-mash", "demo2-marac"),
        DemoAgencies.inArea("E08000025"));
  }

  @Test
  void everyRegisteredAgencyHasAClientWithItsAgencyClaimAudienceAndRoles() throws IOException {
    JsonNode realm = realm();
    List<String> faults = new ArrayList<>();
    for (String id : DemoAgencies.ids()) {
      JsonNode client = find(realm.path("clients"), "clientId", id);
      if (client == null) {
        faults.add(id + ": no client");
        continue;
      }
      if (!(id + "-demo-secret").equals(client.path("secret").asText())) {
        faults.add(id + ": secret is not <client>-demo-secret");
      }
      if (!client.path("serviceAccountsEnabled").asBoolean()
          || client.path("publicClient").asBoolean(true)) {
        faults.add(id + ": not a confidential client with a service account");
      }
      JsonNode agency = find(client.path("protocolMappers"), "name", "agency");
      if (agency == null
          || !"oidc-hardcoded-claim-mapper".equals(agency.path("protocolMapper").asText())
          || !"agency".equals(agency.path("config").path("claim.name").asText())
          || !id.equals(agency.path("config").path("claim.value").asText())
          || !"true".equals(agency.path("config").path("access.token.claim").asText())) {
        faults.add(id + ": no agency claim naming it in the access token");
      }
      JsonNode audience = find(client.path("protocolMappers"), "name", "audience-safehub-hub");
      if (audience == null
          || !"oidc-audience-mapper".equals(audience.path("protocolMapper").asText())
          || !"safehub-hub"
              .equals(audience.path("config").path("included.custom.audience").asText())
          || !"true".equals(audience.path("config").path("access.token.claim").asText())) {
        faults.add(id + ": no safehub-hub audience in the access token");
      }
      JsonNode kafka = find(client.path("protocolMappers"), "name", "audience-safehub-kafka");
      if (kafka == null
          || !"oidc-audience-mapper".equals(kafka.path("protocolMapper").asText())
          || !"safehub-kafka".equals(kafka.path("config").path("included.custom.audience").asText())
          || !"true".equals(kafka.path("config").path("access.token.claim").asText())) {
        faults.add(id + ": no safehub-kafka audience (the broker's agencies' listener)");
      }
      JsonNode user = find(realm.path("users"), "serviceAccountClientId", id);
      if (user == null || !("service-account-" + id).equals(user.path("username").asText())) {
        faults.add(id + ": no service-account user");
      } else {
        List<String> roles = new ArrayList<>();
        user.path("realmRoles").forEach(r -> roles.add(r.asText()));
        if (!roles.contains("publisher")
            || !roles.contains("subscriber")
            || roles.contains("auditor")
            || roles.contains("hub-admin")) {
          faults.add(id + ": roles " + roles + ", want publisher and subscriber only");
        }
      }
    }
    assertTrue(faults.isEmpty(), String.join("; ", faults));
  }
}
