package org.safehub.testsupport;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.safehub.devstack.DevStack;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The same three components as {@link DevStack}, from container images, for machines with a Docker
 * engine ({@code -Dsafehub.components=containers}). Kept in its own class so Testcontainers is only
 * loaded when chosen.
 */
final class ContainerComponents {

  static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  static final String POSTGRES_IMAGE = "postgres:16-alpine";
  static final String KEYCLOAK_IMAGE = "keycloak/keycloak:26.5.6";
  private static final int KEYCLOAK_HTTP = 8080;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ContainerComponents() {}

  /** Starts Kafka, PostgreSQL and Keycloak containers in parallel and waits for all three. */
  static Started start(Path realmFile) {
    Containers containers = Containers.create(realmFile);
    List<GenericContainer<?>> all = containers.all();
    try {
      Startables.deepStart(all).join();
    } catch (RuntimeException e) {
      all.forEach(GenericContainer::stop);
      throw new IllegalStateException("test containers did not start: " + e.getMessage(), e);
    }
    return new Started(containers.endpoints(), () -> all.forEach(GenericContainer::stop));
  }

  /** The three containers, configured but not started. */
  record Containers(
      KafkaContainer kafka, PostgreSQLContainer<?> postgres, GenericContainer<?> keycloak) {

    @SuppressWarnings("resource") // stopped by the Started's stopper
    static Containers create(Path realmFile) {
      KafkaContainer kafka =
          new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
              .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
              .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
              .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
              .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
              .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
              .withEnv("KAFKA_NUM_PARTITIONS", "1");
      PostgreSQLContainer<?> postgres =
          new PostgreSQLContainer<>(DockerImageName.parse(POSTGRES_IMAGE))
              .withDatabaseName("safehub")
              .withUsername("postgres")
              .withPassword(randomHex(16));
      GenericContainer<?> keycloak =
          new GenericContainer<>(DockerImageName.parse(KEYCLOAK_IMAGE))
              .withExposedPorts(KEYCLOAK_HTTP)
              .withEnv("KC_BOOTSTRAP_ADMIN_USERNAME", "admin-" + randomHex(4))
              .withEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", randomHex(24))
              .withCopyFileToContainer(
                  MountableFile.forHostPath(realmFile.toAbsolutePath()),
                  "/opt/keycloak/data/import/safehub-realm.json")
              .withCommand("start-dev", "--import-realm")
              .waitingFor(
                  Wait.forHttp("/realms/safehub/.well-known/openid-configuration")
                      .forPort(KEYCLOAK_HTTP)
                      .forStatusCode(200)
                      .withStartupTimeout(Duration.ofMinutes(3)));
      return new Containers(kafka, postgres, keycloak);
    }

    List<GenericContainer<?>> all() {
      return List.of(kafka, postgres, keycloak);
    }

    /** Valid once started. */
    DevStack.Endpoints endpoints() {
      return new DevStack.Endpoints(
          kafka.getBootstrapServers(),
          Map.of(), // this broker has neither authentication nor ACLs, nor an agencies' listener
          null,
          postgres.getJdbcUrl(),
          postgres.getUsername(),
          postgres.getPassword(),
          "http://" + keycloak.getHost() + ":" + keycloak.getMappedPort(KEYCLOAK_HTTP));
    }
  }

  private static String randomHex(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}
