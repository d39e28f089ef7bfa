package org.safehub.devstack;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker in this JVM whose log directory survives restarts, so a stopped
 * and restarted dev stack keeps its topics and records.
 *
 * <p>Every listener authenticates and the broker authorises every request ({@code
 * StandardAuthorizer}, no ACL means no access). The hub's listener (and the controller's) take
 * SASL/PLAIN with the hub's principal {@code User:hub}, the only super user (see ADR 0009); the
 * agencies' listener, when asked for, takes SASL/OAUTHBEARER and validates Keycloak access tokens
 * by the realm's JWKS with Kafka's own validator (signature, expiry, issuer, audience {@value
 * #AGENCY_AUDIENCE}), the principal being the token's {@code agency} claim. What each agency may do
 * is the hub's ACLs.
 */
public final class KafkaNode implements AutoCloseable {

  private static final Map<String, String> BROKER_PROPERTIES =
      Map.ofEntries(
          Map.entry("offsets.topic.replication.factor", "1"),
          Map.entry("transaction.state.log.replication.factor", "1"),
          Map.entry("transaction.state.log.min.isr", "1"),
          Map.entry("share.coordinator.state.topic.replication.factor", "1"),
          Map.entry("share.coordinator.state.topic.min.isr", "1"),
          Map.entry("group.initial.rebalance.delay.ms", "0"),
          Map.entry("auto.create.topics.enable", "false"),
          Map.entry("num.partitions", "1"),
          // a clean stop unregisters the broker, so a restart need not wait out the old broker
          // session
          Map.entry("controlled.shutdown.enable", "true"));

  /**
   * Flush policy. By default the broker leaves flushing to the operating system (Kafka's own
   * default: a write is acknowledged once it is in the page cache), so a record survives a crash of
   * this process but not of the operating system. With {@code
   * -Dsafehub.kafka.flush-every-write=true} every write is fsynced before it is acknowledged
   * ({@code log.flush.interval.messages=1}); see the README for its cost.
   */
  static final String FLUSH_EVERY_WRITE = "safehub.kafka.flush-every-write";

  /** The hub's Kafka principal: the broker's only super user. */
  public static final String HUB_PRINCIPAL = "hub";

  /**
   * The hub's SASL/PLAIN password in the dev stack and the tests. A demo secret: a hub outside the
   * dev stack refuses to start with it (it ends in {@code -demo-secret}).
   */
  static final String HUB_DEMO_PASSWORD = "safehub-kafka-hub-demo-secret";

  /** The audience an agency's access token must carry to be accepted on the agencies' listener. */
  public static final String AGENCY_AUDIENCE = "safehub-kafka";

  /** The claim whose value is an agency's Kafka principal. */
  public static final String AGENCY_CLAIM = "agency";

  /** Kafka 4 refuses OAuth URLs not listed in this system property. */
  public static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";

  /**
   * The agencies' listener: SASL/OAUTHBEARER on 127.0.0.1:{@code port} (0: a free port), accepting
   * access tokens of the realm at {@code issuer} (e.g. {@code
   * http://127.0.0.1:8180/realms/safehub}), which must be serving when the broker starts (the
   * broker reads its keys then).
   */
  public record AgencyListener(int port, String issuer) {
    public String jwksUrl() {
      return issuer + "/protocol/openid-connect/certs";
    }

    public String tokenUrl() {
      return issuer + "/protocol/openid-connect/token";
    }
  }

  private final EmbeddedKafkaBroker broker;
  private final String bootstrapServers;
  private final String agencyBootstrapServers;

  private KafkaNode(
      EmbeddedKafkaBroker broker, String bootstrapServers, String agencyBootstrapServers) {
    this.broker = broker;
    this.bootstrapServers = bootstrapServers;
    this.agencyBootstrapServers = agencyBootstrapServers;
  }

  /**
   * Starts the broker with its data in {@code logDir} (formatted on first use), the hub's listener
   * only, and waits until it answers.
   */
  public static KafkaNode start(Path logDir, int port) {
    return start(logDir, port, null);
  }

  /**
   * Starts the broker with its data in {@code logDir} (formatted on first use), the hub's listener
   * on {@code port} and, unless {@code agencies} is null, the agencies' listener; waits until it
   * answers.
   */
  public static KafkaNode start(Path logDir, int port, AgencyListener agencies) {
    DataDirs.createDirectories(logDir);
    int kafkaPort = Ports.orFree(port);
    int controllerPort = Ports.free();
    int agencyPort = agencies == null ? 0 : Ports.orFree(agencies.port());
    if (agencies != null) {
      allowUrls(agencies.jwksUrl(), agencies.tokenUrl());
    }
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker()
            .withKafkaHost("127.0.0.1")
            .withKafkaPort(kafkaPort)
            .withControllerPort(controllerPort)
            .withClusterId(clusterIdOf(logDir))
            .withDeleteLogDirsOnClose(false)
            .withAdditionalProperties(
                props -> {
                  props.put("log.dir", logDir.toAbsolutePath().toString());
                  props.putAll(BROKER_PROPERTIES);
                  props.putAll(securityProperties(kafkaPort, controllerPort, agencyPort, agencies));
                  if (Boolean.getBoolean(FLUSH_EVERY_WRITE)) {
                    props.put("log.flush.interval.messages", "1");
                  }
                });
    try {
      broker.start();
    } catch (RuntimeException e) {
      broker.close();
      throw new IllegalStateException(
          "Kafka did not start on 127.0.0.1:"
              + kafkaPort
              + " with data in "
              + logDir
              + ": "
              + e.getMessage(),
          e);
    }
    String bootstrap = "127.0.0.1:" + kafkaPort;
    KafkaNode node =
        new KafkaNode(broker, bootstrap, agencies == null ? null : "127.0.0.1:" + agencyPort);
    try {
      node.awaitReady();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The agencies' listener ({@code host:port}), or null when it was not asked for. */
  public String agencyBootstrapServers() {
    return agencyBootstrapServers;
  }

  /**
   * The client settings, besides the bootstrap servers, with which the hub (and a test or benchmark
   * acting as the hub) authenticates on the hub's listener.
   */
  public static Map<String, String> hubClientConfig() {
    return Map.of(
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", plainJaas(false));
  }

  /** Client settings for the hub's listener at {@code bootstrap}, authenticated as the hub. */
  public static Map<String, Object> hubClient(String bootstrap) {
    Map<String, Object> c = new HashMap<>(hubClientConfig());
    c.put("bootstrap.servers", bootstrap);
    return c;
  }

  /**
   * Listeners, SASL and the authorizer. The controller's listener authenticates like the hub's, so
   * no unauthenticated principal has any right anywhere.
   */
  private static Map<String, String> securityProperties(
      int hubPort, int controllerPort, int agencyPort, AgencyListener agencies) {
    Map<String, String> p = new HashMap<>();
    String listeners = "HUB://127.0.0.1:" + hubPort;
    String advertised = listeners;
    String protocols = "HUB:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT";
    if (agencies != null) {
      listeners += ",AGENCY://127.0.0.1:" + agencyPort;
      advertised += ",AGENCY://127.0.0.1:" + agencyPort;
      protocols += ",AGENCY:SASL_PLAINTEXT";
    }
    p.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", advertised);
    p.put("listener.security.protocol.map", protocols);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "HUB");
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    p.put("sasl.mechanism.controller.protocol", "PLAIN");
    p.put("listener.name.hub.sasl.enabled.mechanisms", "PLAIN");
    p.put("listener.name.hub.plain.sasl.jaas.config", plainJaas(true));
    p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.put("listener.name.controller.plain.sasl.jaas.config", plainJaas(true));
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", "User:" + HUB_PRINCIPAL);
    p.put("allow.everyone.if.no.acl.found", "false");
    if (agencies != null) {
      String oauth = "listener.name.agency.oauthbearer.";
      p.put("listener.name.agency.sasl.enabled.mechanisms", "OAUTHBEARER");
      p.put(
          oauth + "sasl.jaas.config",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
      p.put(
          oauth + "sasl.server.callback.handler.class",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler");
      // explicitly: Kafka 4.1's default (DefaultJwtValidator, built without a key resolver) falls
      // back to the client-side validator, which checks neither signature, issuer nor audience
      p.put(
          "sasl.oauthbearer.jwt.validator.class",
          "org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator");
      p.put("sasl.oauthbearer.jwks.endpoint.url", agencies.jwksUrl());
      p.put("sasl.oauthbearer.expected.issuer", agencies.issuer());
      p.put("sasl.oauthbearer.expected.audience", AGENCY_AUDIENCE);
      p.put("sasl.oauthbearer.sub.claim.name", AGENCY_CLAIM);
      // an expired token is refused 5 s after its expiry, not Kafka's default 30 s: the hub's HTTPS
      // API allows none, and the broker and Keycloak of the dev stack share one clock
      p.put("sasl.oauthbearer.clock.skew.seconds", "5");
    }
    return p;
  }

  private static String plainJaas(boolean server) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + HUB_PRINCIPAL
        + "\" password=\""
        + HUB_DEMO_PASSWORD
        + "\""
        + (server ? " user_" + HUB_PRINCIPAL + "=\"" + HUB_DEMO_PASSWORD + "\"" : "")
        + ";";
  }

  /** Adds {@code urls} to the OAuth URLs Kafka may use in this JVM (the broker's and clients'). */
  public static synchronized void allowUrls(String... urls) {
    Set<String> allowed = new LinkedHashSet<>();
    String current = System.getProperty(ALLOWED_URLS, "");
    for (String u : current.split(",")) {
      if (!u.isBlank()) {
        allowed.add(u.trim());
      }
    }
    allowed.addAll(List.of(urls));
    System.setProperty(ALLOWED_URLS, String.join(",", allowed));
  }

  @Override
  public void close() {
    broker.close();
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    props.putAll(hubClientConfig());
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka on " + bootstrapServers + " did not answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  /**
   * The cluster id already written into {@code logDir}, or a new one for an unformatted directory.
   */
  private static String clusterIdOf(Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    if (Files.isRegularFile(meta)) {
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(meta)) {
        props.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + meta, e);
      }
      String id = props.getProperty("cluster.id");
      if (id != null && !id.isBlank()) {
        return id;
      }
    }
    return Uuid.randomUuid().toString();
  }
}
