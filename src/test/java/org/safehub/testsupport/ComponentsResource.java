package org.safehub.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.safehub.devstack.DevStack;

/**
 * Gives every {@code @QuarkusTest} real Kafka, PostgreSQL and Keycloak, started once per test JVM
 * and reused across test classes (Quarkus may restart the application between classes, so {@link
 * #stop()} leaves them running and a JVM shutdown hook stops them). Without Docker by default
 * ({@link DevStack}); with {@code -Dsafehub.components=containers}, from container images.
 */
public final class ComponentsResource implements QuarkusTestResourceLifecycleManager {

  public static final String MODE_PROPERTY = "safehub.components";
  public static final String KEYCLOAK_HOME_PROPERTY = "safehub.keycloak.home";
  public static final String REALM_FILE = "deploy/keycloak/safehub-realm.json";

  /**
   * Quarkus loads this class once per test profile, each time in a new class loader, so a static
   * field alone would start the components again: the running components' endpoints are also kept
   * in system properties under this prefix, and starts are serialized on an interned string
   * literal, which is one object per JVM whatever the class loader.
   */
  private static final String REGISTRY = "safehub.test.components.";

  private static final String KAFKA_CLIENT = "kafka-client.";

  private static final String JVM_WIDE_LOCK =
      "org.safehub.testsupport.ComponentsResource.start-lock";

  private static DevStack.Endpoints holder;

  @Override
  public Map<String, String> start() {
    DevStack.Endpoints endpoints = endpoints();
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", endpoints.kafkaBootstrap());
    // the hub authenticates to the broker as its own principal
    endpoints.kafkaClientConfig().forEach((k, v) -> config.put("kafka." + k, v));
    config.put("quarkus.datasource.jdbc.url", endpoints.jdbcUrl());
    config.put("quarkus.datasource.username", endpoints.dbUser());
    config.put("quarkus.datasource.password", endpoints.dbPassword());
    config.put("quarkus.oidc.auth-server-url", endpoints.issuer());
    config.put("safehub.test.keycloak-url", endpoints.keycloakBaseUrl());
    return config;
  }

  /** Leaves the components running for the next test class; they stop when the JVM exits. */
  @Override
  public void stop() {
    // nothing: see the class comment
  }

  /**
   * The running components, started on first use (also for tests that talk to Kafka or PostgreSQL
   * directly).
   */
  public static DevStack.Endpoints endpoints() {
    synchronized (JVM_WIDE_LOCK) {
      if (holder == null) {
        holder = registered();
      }
      if (holder == null) {
        Started started = startComponents();
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> stopQuietly(started), "safehub-components-stop"));
        register(started.endpoints());
        holder = started.endpoints();
      }
      return holder;
    }
  }

  private static Started startComponents() {
    Path realm = Path.of(REALM_FILE).toAbsolutePath();
    if ("containers".equals(System.getProperty(MODE_PROPERTY))) {
      return ContainerComponents.start(realm);
    }
    Path keycloakHome =
        Path.of(
            System.getProperty(
                KEYCLOAK_HOME_PROPERTY,
                Path.of(System.getProperty("user.home"), ".cache", "safehub", "keycloak-26.5.6")
                    .toString()));
    DevStack stack = DevStack.start(DevStack.Options.temporary(keycloakHome, realm));
    System.setProperty(REGISTRY + "keycloak-admin-user", stack.keycloakAdmin().user());
    System.setProperty(REGISTRY + "keycloak-admin-password", stack.keycloakAdmin().password());
    return new Started(stack.endpoints(), stack);
  }

  private static void stopQuietly(Started started) {
    try {
      started.stopper().close();
    } catch (Exception e) {
      System.err.println("test components did not stop cleanly: " + e);
    }
  }

  /** Keycloak's administrator, when the components are the dev stack's (not containers). */
  public static DevStack.KeycloakAdmin keycloakAdmin() {
    endpoints();
    String user = System.getProperty(REGISTRY + "keycloak-admin-user");
    return user == null
        ? null
        : new DevStack.KeycloakAdmin(
            user, System.getProperty(REGISTRY + "keycloak-admin-password"));
  }

  private static void register(DevStack.Endpoints endpoints) {
    System.setProperty(REGISTRY + "kafka-bootstrap", endpoints.kafkaBootstrap());
    if (endpoints.kafkaAgencyBootstrap() != null) {
      System.setProperty(REGISTRY + "kafka-agency-bootstrap", endpoints.kafkaAgencyBootstrap());
    }
    endpoints
        .kafkaClientConfig()
        .forEach((k, v) -> System.setProperty(REGISTRY + KAFKA_CLIENT + k, v));
    System.setProperty(REGISTRY + "jdbc-url", endpoints.jdbcUrl());
    System.setProperty(REGISTRY + "db-user", endpoints.dbUser());
    System.setProperty(REGISTRY + "db-password", endpoints.dbPassword());
    System.setProperty(REGISTRY + "keycloak-url", endpoints.keycloakBaseUrl());
  }

  private static DevStack.Endpoints registered() {
    String keycloak = System.getProperty(REGISTRY + "keycloak-url");
    if (keycloak == null) {
      return null;
    }
    Map<String, String> kafkaClient = new HashMap<>();
    System.getProperties()
        .stringPropertyNames()
        .forEach(
            n -> {
              if (n.startsWith(REGISTRY + KAFKA_CLIENT)) {
                kafkaClient.put(
                    n.substring((REGISTRY + KAFKA_CLIENT).length()), System.getProperty(n));
              }
            });
    return new DevStack.Endpoints(
        System.getProperty(REGISTRY + "kafka-bootstrap"),
        kafkaClient,
        System.getProperty(REGISTRY + "kafka-agency-bootstrap"),
        System.getProperty(REGISTRY + "jdbc-url"),
        System.getProperty(REGISTRY + "db-user"),
        System.getProperty(REGISTRY + "db-password"),
        keycloak);
  }
}
