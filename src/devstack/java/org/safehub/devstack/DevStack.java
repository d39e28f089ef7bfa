package org.safehub.devstack;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's real neighbours - Kafka (KRaft, in this JVM), PostgreSQL and Keycloak - started
 * together without Docker, for the tests and for the one-command start. Data is kept in one
 * directory so a restarted stack finds its topics, records and tables again.
 */
public final class DevStack implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(DevStack.class.getName());

  /**
   * How to start the stack.
   *
   * @param dataDir where Kafka's log dir and PostgreSQL's data dir live, kept across restarts; null
   *     means a temporary directory deleted on {@link #close()}
   * @param fresh delete {@code dataDir}'s contents before starting
   * @param kafkaPort 0 picks a free port; likewise {@code agencyKafkaPort} (the broker's listener
   *     for agencies), {@code postgresPort} and {@code keycloakPort}
   * @param keycloakHome an unpacked Keycloak distribution (has {@code bin/kc.sh})
   * @param realmFile {@code deploy/keycloak/safehub-realm.json}
   */
  public record Options(
      Path dataDir,
      boolean fresh,
      int kafkaPort,
      int agencyKafkaPort,
      int postgresPort,
      int keycloakPort,
      Path keycloakHome,
      Path realmFile) {
    public Options {
      checkPort("kafkaPort", kafkaPort);
      checkPort("agencyKafkaPort", agencyKafkaPort);
      checkPort("postgresPort", postgresPort);
      checkPort("keycloakPort", keycloakPort);
      if (keycloakHome == null || realmFile == null) {
        throw new IllegalArgumentException("keycloakHome and realmFile are required");
      }
    }

    /** A throw-away stack on free ports, its data deleted on close. */
    public static Options temporary(Path keycloakHome, Path realmFile) {
      return new Options(null, false, 0, 0, 0, 0, keycloakHome, realmFile);
    }

    private static void checkPort(String name, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            name + " must be 0 (any free port) or 1-65535, not " + port);
      }
    }
  }

  /**
   * Where the running components listen, in the form the hub's configuration wants.
   *
   * @param kafkaBootstrap the hub's listener
   * @param kafkaClientConfig what a client of the hub's listener adds to authenticate as the hub
   *     (security protocol, SASL mechanism and JAAS settings; empty for a broker without
   *     authentication)
   * @param kafkaAgencyBootstrap the agencies' OAUTHBEARER listener, or null if there is none
   */
  public record Endpoints(
      String kafkaBootstrap,
      Map<String, String> kafkaClientConfig,
      String kafkaAgencyBootstrap,
      String jdbcUrl,
      String dbUser,
      String dbPassword,
      String keycloakBaseUrl) {
    public Endpoints {
      kafkaClientConfig = Map.copyOf(kafkaClientConfig);
    }

    public String issuer() {
      return keycloakBaseUrl + "/realms/safehub";
    }

    /** Kafka client settings for the hub's listener: bootstrap servers and authentication. */
    public Map<String, Object> kafkaClient() {
      Map<String, Object> c = new HashMap<>(kafkaClientConfig);
      c.put("bootstrap.servers", kafkaBootstrap);
      return c;
    }
  }

  /** Keycloak's bootstrap administrator (master realm) for this run: random, never printed. */
  public record KeycloakAdmin(String user, String password) {
    @Override
    public String toString() {
      return "KeycloakAdmin[" + user + "]";
    }
  }

  /**
   * How long each component took to become ready; they start in parallel, so {@code total} is about
   * the slowest.
   */
  public record StartTimes(Duration kafka, Duration postgres, Duration keycloak, Duration total) {}

  private final Path dataDir;
  private final boolean temporaryDataDir;
  private final List<AutoCloseable> components;
  private final Endpoints endpoints;
  private final StartTimes startTimes;
  private final KeycloakAdmin keycloakAdmin;
  private boolean closed;

  private DevStack(
      Path dataDir,
      boolean temporaryDataDir,
      List<AutoCloseable> components,
      Endpoints endpoints,
      StartTimes startTimes,
      KeycloakAdmin keycloakAdmin) {
    this.dataDir = dataDir;
    this.keycloakAdmin = keycloakAdmin;
    this.temporaryDataDir = temporaryDataDir;
    this.components = components;
    this.endpoints = endpoints;
    this.startTimes = startTimes;
  }

  /**
   * Starts Kafka, PostgreSQL and Keycloak in parallel and returns once all three are ready; a kept
   * data directory gets a durable PostgreSQL, a temporary one (tests) does not.
   */
  public static DevStack start(Options options) {
    return start(options, options.dataDir() != null);
  }

  /**
   * As {@link #start(Options)}; {@code durablePostgres}: {@code fsync} and {@code
   * synchronous_commit} on, as the start command ships them (the benchmark measures with them).
   */
  public static DevStack start(Options options, boolean durablePostgres) {
    KeycloakHome keycloakHome = KeycloakHome.prepare(options.keycloakHome(), options.realmFile());
    QuietLogs.toWarn();
    boolean temporary = options.dataDir() == null;
    Path dataDir =
        temporary
            ? DataDirs.createTemp("safehub-devstack-")
            : DataDirs.createDirectories(options.dataDir().toAbsolutePath());
    if (options.fresh() && !temporary) {
      DataDirs.deleteContents(dataDir);
    }
    long begin = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(3, daemonThreads());
    // the port is chosen here: the broker's agency listener needs Keycloak's address (and Keycloak
    // serving its keys when the broker starts)
    int keycloakPort = Ports.orFree(options.keycloakPort());
    String issuer = "http://127.0.0.1:" + keycloakPort + "/realms/safehub";
    try {
      Future<Timed<KeycloakNode>> keycloak =
          pool.submit(
              timed(
                  () ->
                      KeycloakNode.start(keycloakHome, dataDir.resolve("keycloak"), keycloakPort)));
      Future<Timed<KafkaNode>> kafka =
          pool.submit(
              () -> {
                keycloak.get(); // the agencies' listener reads the realm's keys at start
                return timed(
                        () ->
                            KafkaNode.start(
                                dataDir.resolve("kafka"),
                                options.kafkaPort(),
                                new KafkaNode.AgencyListener(options.agencyKafkaPort(), issuer)))
                    .call();
              });
      Future<Timed<PostgresNode>> postgres =
          pool.submit(
              timed(
                  () ->
                      PostgresNode.start(
                          dataDir.resolve("postgres"),
                          options.postgresPort(),
                          dataDir.resolve("logs/postgres.log"),
                          durablePostgres)));
      Started started = new Started();
      Timed<KafkaNode> k = started.await("Kafka", kafka);
      Timed<PostgresNode> p = started.await("PostgreSQL", postgres);
      Timed<KeycloakNode> kc = started.await("Keycloak", keycloak);
      started.throwIfFailed(() -> cleanUp(dataDir, temporary));
      StartTimes times =
          new StartTimes(
              k.took(), p.took(), kc.took(), Duration.ofNanos(System.nanoTime() - begin));
      Endpoints endpoints =
          new Endpoints(
              k.value().bootstrapServers(),
              KafkaNode.hubClientConfig(),
              k.value().agencyBootstrapServers(),
              p.value().jdbcUrl(),
              PostgresNode.USER,
              PostgresNode.PASSWORD,
              kc.value().baseUrl());
      LOG.log(
          Level.INFO,
          "dev stack ready in {0} ms (Kafka {1} ms, PostgreSQL {2} ms, Keycloak {3} ms), data in {4}",
          times.total().toMillis(),
          times.kafka().toMillis(),
          times.postgres().toMillis(),
          times.keycloak().toMillis(),
          dataDir);
      return new DevStack(
          dataDir, temporary, started.components, endpoints, times, kc.value().admin());
    } finally {
      pool.shutdownNow();
    }
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public StartTimes startTimes() {
    return startTimes;
  }

  /** Keycloak's administrator for this run (the tests change a client with it). */
  public KeycloakAdmin keycloakAdmin() {
    return keycloakAdmin;
  }

  /** The data directory in use (the temporary one when {@link Options#dataDir()} was null). */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Stops Keycloak, PostgreSQL and Kafka (in reverse start order) and deletes a temporary data dir.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = closeAll(components);
    if (temporaryDataDir) {
      try {
        DataDirs.deleteRecursively(dataDir);
      } catch (RuntimeException e) {
        failure = chain(failure, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void cleanUp(Path dataDir, boolean temporary) {
    if (temporary) {
      DataDirs.deleteRecursively(dataDir);
    }
  }

  private static RuntimeException closeAll(List<AutoCloseable> components) {
    RuntimeException failure = null;
    for (int i = components.size() - 1; i >= 0; i--) {
      try {
        components.get(i).close();
      } catch (Exception e) {
        failure = chain(failure, e);
      }
    }
    return failure;
  }

  private static RuntimeException chain(RuntimeException first, Exception next) {
    if (first == null) {
      return next instanceof RuntimeException r
          ? r
          : new IllegalStateException(next.getMessage(), next);
    }
    first.addSuppressed(next);
    return first;
  }

  /** Collects what started and what failed, so a partial start can be rolled back in one place. */
  private static final class Started {
    private final List<AutoCloseable> components = new ArrayList<>();
    private IllegalStateException failure;

    <T extends AutoCloseable> Timed<T> await(String name, Future<Timed<T>> future) {
      try {
        Timed<T> timed = future.get();
        components.add(timed.value());
        return timed;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        String message = name + " did not start: " + cause.getMessage();
        if (failure == null) {
          failure = new IllegalStateException(message, cause);
        } else {
          failure.addSuppressed(new IllegalStateException(message, cause));
        }
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = new IllegalStateException("interrupted while starting " + name, e);
        }
        return null;
      }
    }

    void throwIfFailed(Runnable cleanUp) {
      if (failure == null) {
        return;
      }
      RuntimeException stopFailure = closeAll(components);
      if (stopFailure != null) {
        failure.addSuppressed(stopFailure);
      }
      try {
        cleanUp.run();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
      throw failure;
    }
  }

  private record Timed<T>(T value, Duration took) {}

  private static <T> Callable<Timed<T>> timed(Callable<T> start) {
    return () -> {
      long begin = System.nanoTime();
      T value = start.call();
      return new Timed<>(value, Duration.ofNanos(System.nanoTime() - begin));
    };
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "devstack-start-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
