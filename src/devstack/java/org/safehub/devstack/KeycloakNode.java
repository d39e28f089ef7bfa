package org.safehub.devstack;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keycloak run as a child process ({@code kc.sh start-dev}) with the safehub realm imported into an
 * in-memory database, so each start begins from the realm file and leaves no state behind.
 */
final class KeycloakNode implements AutoCloseable {

  static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int TAIL_LINES = 40;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Process process;
  private final String baseUrl;
  private final Path logFile;
  private DevStack.KeycloakAdmin admin;

  private KeycloakNode(Process process, String baseUrl, Path logFile) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.logFile = logFile;
  }

  /** This run's bootstrap administrator of the master realm (random, for tests). */
  DevStack.KeycloakAdmin admin() {
    return admin;
  }

  /**
   * Starts Keycloak on 127.0.0.1:{@code port} and waits until the safehub realm is served.
   * Everything this run writes (log, temp files, transaction log) goes under {@code runDir}, which
   * is emptied first.
   */
  static KeycloakNode start(KeycloakHome home, Path runDir, int port) {
    if (home.devBuildRecorded()) {
      return launch(home, runDir, port);
    }
    try (KeycloakHome.BuildLock ignored = home.lockForBuild()) {
      KeycloakNode node = launch(home, runDir, port);
      home.recordDevBuild();
      return node;
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  /**
   * Stops kc.sh, the JVM it forked and the watchdog: descendants first, then the process, forcibly
   * after 30 s.
   */
  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        handle.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        tree.forEach(ProcessHandle::destroyForcibly);
        return;
      }
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // the watchdog is gone already
    }
  }

  private static KeycloakNode launch(KeycloakHome home, Path runDir, int port) {
    DataDirs.deleteRecursively(runDir);
    Path tmp = DataDirs.createDirectories(runDir.resolve("tmp"));
    Path logFile = runDir.resolve("keycloak.log");
    int httpPort = Ports.orFree(port);
    ProcessBuilder builder =
        new ProcessBuilder(
                ChildWatchdog.wrap(
                    List.of(
                        home.script().toString(),
                        "start-dev",
                        "--http-host=127.0.0.1",
                        "--http-port=" + httpPort,
                        "--import-realm",
                        "--db=dev-mem",
                        // per-run places for what would otherwise be shared by every Keycloak from
                        // this home
                        "-Dquarkus.transaction-manager.object-store.directory="
                            + runDir.resolve("transaction-logs").toAbsolutePath(),
                        "-Djava.io.tmpdir=" + tmp.toAbsolutePath())))
            .directory(runDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.to(logFile.toFile()));
    Map<String, String> env = builder.environment();
    // the developer's own Keycloak or Quarkus settings must not leak into this one
    env.keySet()
        .removeIf(
            name ->
                name.startsWith("KC_")
                    || name.startsWith("QUARKUS_")
                    || name.startsWith("JAVA_OPTS")
                    || name.equals("JAVA")
                    || name.equals("JAVA_ADD_OPENS"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    // C1 only: Keycloak starts about 10% sooner, which matters more here than its peak speed
    env.put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
    DevStack.KeycloakAdmin admin =
        new DevStack.KeycloakAdmin("admin-" + randomHex(4), randomHex(24));
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", admin.user());
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", admin.password());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + home.script() + ": " + e.getMessage(), e);
    }
    KeycloakNode node = new KeycloakNode(process, "http://127.0.0.1:" + httpPort, logFile);
    node.admin = admin;
    try {
      node.awaitRealm();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void awaitRealm() {
    URI wellKnown = URI.create(baseUrl + "/realms/safehub/.well-known/openid-configuration");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(wellKnown).timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw failure(
            "Keycloak exited with code " + process.exitValue() + " before serving " + wellKnown);
      }
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Keycloak", e);
      }
      sleep(Duration.ofMillis(500));
    }
    throw failure(
        "Keycloak did not serve " + wellKnown + " within " + READY_TIMEOUT.toSeconds() + " s");
  }

  private IllegalStateException failure(String what) {
    return new IllegalStateException(
        what
            + "; last lines of "
            + logFile
            + ":"
            + System.lineSeparator()
            + DataDirs.tail(logFile, TAIL_LINES));
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Keycloak", e);
    }
  }

  private static String randomHex(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}
