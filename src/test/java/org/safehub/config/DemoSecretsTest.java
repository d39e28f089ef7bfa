package org.safehub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DemoSecretsTest {

  private static List<String> offending(Map<String, String> settings) {
    return DemoSecrets.offending(
        settings.keySet(), name -> Optional.ofNullable(settings.get(name)));
  }

  @Test
  void theDevelopmentKeyStorePasswordTheDemoDatasourcePasswordsAndDemoClientSecretsAreNamed() {
    assertEquals(
        List.of("safehub.keys.hub-keystore-password"),
        offending(Map.of("safehub.keys.hub-keystore-password", "safehub-dev-only")));
    assertEquals(
        List.of("quarkus.datasource.password"),
        offending(Map.of("quarkus.datasource.password", "safehub")));
    assertEquals(
        List.of("quarkus.datasource.password"),
        offending(Map.of("quarkus.datasource.password", "postgres")));
    assertEquals(
        List.of("quarkus.oidc.credentials.secret"),
        offending(Map.of("quarkus.oidc.credentials.secret", "demo-iss-demo-secret")));
    assertEquals(
        List.of("kafka.sasl.jaas.config"),
        offending(
            Map.of(
                "kafka.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"hub\" password=\"hub-demo-secret\";")));
    // and the Kubernetes manifest's placeholder
    assertEquals(
        List.of("quarkus.datasource.password"),
        offending(Map.of("quarkus.datasource.password", "set-me")));
  }

  @Test
  void everyClientSecretOfTheDemoRealmIsRefusedInBothAreas() throws java.io.IOException {
    List<String> secrets = new java.util.ArrayList<>();
    DemoRealmTest.realm()
        .path("clients")
        .forEach(
            c -> {
              if (c.hasNonNull("secret")) {
                secrets.add(c.get("secret").asText());
              }
            });
    assertTrue(
        secrets.contains("demo-iss-demo-secret") && secrets.contains("demo2-marac-demo-secret"),
        secrets.toString());
    for (String secret : secrets) {
      assertEquals(
          List.of("quarkus.oidc.credentials.secret"),
          offending(Map.of("quarkus.oidc.credentials.secret", secret)),
          secret);
    }
  }

  @Test
  void theConsoleClientSecretAndEveryDemoPersonsPasswordAreRefused() throws java.io.IOException {
    // Given the auditor console's client secret as the hub's default configuration holds it
    assertEquals(
        List.of("quarkus.oidc.console.credentials.secret"),
        offending(
            Map.of("quarkus.oidc.console.credentials.secret", "safehub-console-demo-secret")));
    // and every demo person's password in the realm, wherever a secret setting holds it
    List<String> passwords = new java.util.ArrayList<>();
    DemoRealmTest.realm()
        .path("users")
        .forEach(u -> u.path("credentials").forEach(c -> passwords.add(c.path("value").asText())));
    assertTrue(
        passwords.contains("auditor-demo-password") && passwords.contains("worker-demo-password"),
        passwords.toString());
    for (String password : passwords) {
      assertEquals(
          List.of("quarkus.oidc.console.credentials.secret"),
          offending(Map.of("quarkus.oidc.console.credentials.secret", password)),
          password);
    }
  }

  @Test
  void secretsOfTheOperatorsOwnPass() {
    assertEquals(
        List.of(),
        offending(
            Map.of(
                "safehub.keys.hub-keystore-password", "k3y-st0re-from-vault",
                "quarkus.datasource.password", "db-from-vault",
                "quarkus.oidc.credentials.secret", "hub-secret-from-vault",
                // a setting that does not hold a secret may say anything
                "quarkus.application.name", "safehub-demo-secret")));
  }

  @Test
  void theRefusalNamesEachSettingAndItsEnvironmentVariable() {
    String refusal =
        DemoSecrets.refusal(
            List.of("quarkus.datasource.password", "safehub.keys.hub-keystore-password"));
    assertTrue(
        refusal.contains("quarkus.datasource.password")
            && refusal.contains("QUARKUS_DATASOURCE_PASSWORD"),
        refusal);
    assertTrue(
        refusal.contains("safehub.keys.hub-keystore-password")
            && refusal.contains("SAFEHUB_KEYS_HUB_KEYSTORE_PASSWORD"),
        refusal);
  }
}
