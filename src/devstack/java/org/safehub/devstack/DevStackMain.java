package org.safehub.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * The one-command start ({@code ./mvnw -Pstart}): starts Kafka, PostgreSQL and Keycloak, then the
 * hub with their addresses - before Quarkus reads its configuration - and stops everything on
 * Ctrl-C or when the hub exits.
 */
public final class DevStackMain {

  public static final Path HUB_JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  static final Path REALM_FILE = Path.of("deploy", "keycloak", "safehub-realm.json");

  /**
   * The start's settings, from system properties (defaults in brackets in {@link
   * #fromSystemProperties()}).
   */
  record Settings(
      Path dataDir,
      boolean fresh,
      int httpPort,
      int keycloakPort,
      int kafkaPort,
      int agencyKafkaPort,
      int postgresPort,
      Path keycloakHome,
      List<String> hubJvmOptions) {

    static Settings fromSystemProperties() {
      String defaultHome =
          Path.of(System.getProperty("user.home"), ".cache", "safehub", "keycloak-26.5.6")
              .toString();
      String jvmOptions = System.getProperty("safehub.hub.jvm-opts", "").trim();
      return new Settings(
          Path.of(System.getProperty("safehub.data-dir", ".safehub-data")).toAbsolutePath(),
          Boolean.parseBoolean(System.getProperty("safehub.fresh", "false")),
          Integer.getInteger("safehub.http.port", 8080),
          Integer.getInteger("safehub.keycloak.port", 8180),
          Integer.getInteger("safehub.kafka.port", 9092),
          Integer.getInteger("safehub.kafka.agency-port", 9093),
          Integer.getInteger("safehub.postgres.port", 5432),
          Path.of(System.getProperty("safehub.keycloak.home", defaultHome)),
          jvmOptions.isEmpty() ? List.of() : Arrays.asList(jvmOptions.split("\\s+")));
    }
  }

  private DevStackMain() {}

  public static void main(String[] args) throws InterruptedException {
    logToConsole(Level.INFO);
    Settings settings = Settings.fromSystemProperties();
    Path hubJar = HUB_JAR.toAbsolutePath();
    if (!Files.isRegularFile(hubJar)) {
      exit(
          2,
          "The hub is not built: "
              + hubJar
              + " is missing. Build it with ./mvnw package -DskipTests,"
              + " or use ./mvnw -Pstart, which builds it and then starts everything.");
    }
    requireFree(settings.kafkaPort(), "Kafka", "safehub.kafka.port");
    requireFree(settings.agencyKafkaPort(), "Kafka's agency listener", "safehub.kafka.agency-port");
    requireFree(settings.keycloakPort(), "Keycloak", "safehub.keycloak.port");
    requireFree(settings.httpPort(), "the hub", "safehub.http.port");
    int postgresPort = settings.postgresPort();
    if (!Ports.isFree(postgresPort)) {
      postgresPort = Ports.free();
      System.out.printf(
          "Port %d is busy (another PostgreSQL?); the dev stack's PostgreSQL uses port %d instead.%n",
          settings.postgresPort(), postgresPort);
    }

    System.out.printf(
        "Starting Kafka, PostgreSQL and Keycloak%s (data in %s) ...%n",
        settings.fresh() ? " from scratch" : "", settings.dataDir());
    DevStack stack;
    try {
      stack =
          DevStack.start(
              new DevStack.Options(
                  settings.dataDir(),
                  settings.fresh(),
                  settings.kafkaPort(),
                  settings.agencyKafkaPort(),
                  postgresPort,
                  settings.keycloakPort(),
                  settings.keycloakHome(),
                  REALM_FILE.toAbsolutePath()));
    } catch (RuntimeException e) {
      exit(1, "The dev stack did not start: " + e.getMessage());
      return;
    }
    System.out.println(banner(stack, settings));

    Process hub;
    try {
      hub =
          HubProcess.start(
              HubProcess.command(
                  settings.hubJvmOptions(),
                  stack.endpoints(),
                  settings.httpPort(),
                  stack.dataDir(),
                  hubJar));
    } catch (RuntimeException e) {
      stack.close();
      exit(1, e.getMessage());
      return;
    }
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  HubProcess.stop(hub);
                  stack.close();
                },
                "safehub-stop"));
    int code = hub.waitFor();
    if (!stopping.get()) {
      System.out.printf(
          "The hub exited with code %d; stopping Kafka, PostgreSQL and Keycloak.%n", code);
      System.exit(code); // the shutdown hook stops the dev stack
    }
  }

  /**
   * The embedded broker and PostgreSQL log through the JBoss LogManager, whose Quarkus start-up
   * configuration only queues records until a Quarkus application configures logging - which never
   * happens in this launcher. Route everything (JUL included) to the console instead.
   */
  static void logToConsole(Level level) {
    System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    ConsoleHandler console =
        new ConsoleHandler(
            ConsoleHandler.Target.SYSTEM_ERR,
            new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c{3.}] %s%e%n"));
    console.setLevel(level);
    org.jboss.logmanager.Logger root = LogContext.getLogContext().getLogger("");
    root.setHandlers(new Handler[] {console});
    root.setLevel(level);
  }

  static String banner(DevStack stack, Settings settings) {
    DevStack.Endpoints e = stack.endpoints();
    DevStack.StartTimes t = stack.startTimes();
    String n = System.lineSeparator();
    return n
        + "Safehub dev stack is up in "
        + seconds(t.total().toMillis())
        + " (Kafka "
        + seconds(t.kafka().toMillis())
        + ", PostgreSQL "
        + seconds(t.postgres().toMillis())
        + ", Keycloak "
        + seconds(t.keycloak().toMillis())
        + ")"
        + n
        + "  Kafka       "
        + e.kafkaBootstrap()
        + "  (the hub's listener, SASL/PLAIN as User:"
        + KafkaNode.HUB_PRINCIPAL
        + ")"
        + n
        + "  Kafka       "
        + e.kafkaAgencyBootstrap()
        + "  (agencies: SASL/OAUTHBEARER with their Keycloak client, audience "
        + KafkaNode.AGENCY_AUDIENCE
        + "; -Dsafehub.kafka.agency-port=...)"
        + n
        + "  PostgreSQL  "
        + e.jdbcUrl()
        + " (user "
        + e.dbUser()
        + ")"
        + n
        + "  Keycloak    "
        + e.keycloakBaseUrl()
        + "  (issuer "
        + e.issuer()
        + ")"
        + n
        + "  Hub         http://127.0.0.1:"
        + settings.httpPort()
        + "  (starting now)"
        + n
        + "  Data        "
        + stack.dataDir()
        + "  (kept between runs; -Dsafehub.fresh=true starts empty)"
        + n
        + "  Logs        "
        + stack.dataDir().resolve("keycloak/keycloak.log")
        + ", "
        + stack.dataDir().resolve("logs/postgres.log")
        + n
        + "Get a token for a demo agency (demo client secret, demo only):"
        + n
        + "  curl -s -d grant_type=client_credentials -d client_id=demo-iss -d client_secret=demo-iss-demo-secret "
        + e.issuer()
        + "/protocol/openid-connect/token"
        + n
        + "Ctrl-C stops the hub, then Kafka, PostgreSQL and Keycloak."
        + n;
  }

  private static String seconds(long millis) {
    return String.format("%.1f s", millis / 1000.0);
  }

  private static void requireFree(int port, String what, String property) {
    if (!Ports.isFree(port)) {
      exit(
          2,
          "Port "
              + port
              + " for "
              + what
              + " is in use. Stop whatever uses it, or choose another port with -D"
              + property
              + "=<port>.");
    }
  }

  private static void exit(int code, String message) {
    System.err.println(message);
    System.exit(code);
  }
}
