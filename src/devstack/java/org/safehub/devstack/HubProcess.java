package org.safehub.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The hub, run from its built Quarkus jar as a child process wired to the dev stack's endpoints,
 * under a {@link ChildWatchdog} so it cannot outlive the launcher.
 */
public final class HubProcess {

  /**
   * The hub's JVM options as the product ships them (heap and other memory limits, GC), one file
   * that the start command, the benchmark and deploy/kubernetes all use: here as a {@code java
   * @argument-file}, before the caller's options, which add to them or override them.
   */
  public static final Path JVM_OPTIONS = Path.of("deploy", "jvm.options");

  private HubProcess() {}

  /**
   * The command of a hub as the product ships it: the start command, the packaged tests and the
   * benchmark's measured hub.
   */
  public static List<String> command(
      List<String> jvmOptions,
      DevStack.Endpoints endpoints,
      int httpPort,
      Path dataDir,
      Path hubJar) {
    return command(jvmOptions, endpoints, httpPort, dataDir, hubJar, false);
  }

  /**
   * The command of a hub; with {@code classArchive}, one that maps the class archive of an earlier
   * start of this build or trains it ({@link HubClassArchive}, ADR 0014): a deployment option the
   * benchmark measures beside the shipped start, not how the start command runs the hub (its build,
   * run before every start, replaces the hub's jar and deletes the archive).
   */
  public static List<String> command(
      List<String> jvmOptions,
      DevStack.Endpoints endpoints,
      int httpPort,
      Path dataDir,
      Path hubJar,
      boolean classArchive) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the dev stack serves plain http on 127.0.0.1: the console's cookies cannot be Secure there
    // (before the caller's options, which may turn it back on)
    command.add("-Dquarkus.oidc.console.authentication.cookie-force-secure=false");
    Path shipped = JVM_OPTIONS.toAbsolutePath();
    if (!Files.isRegularFile(shipped)) {
      throw new IllegalStateException("the hub's JVM options are missing: " + shipped);
    }
    command.add("@" + shipped);
    if (classArchive) {
      // the class archive of an earlier start of this build, or train one; none if the caller's
      // options choose class sharing themselves (-Xshare:off)
      command.addAll(HubClassArchive.options(hubJar, jvmOptions));
    }
    command.addAll(jvmOptions);
    command.add("-Dkafka.bootstrap.servers=" + endpoints.kafkaBootstrap());
    // the hub authenticates to the broker as its own principal (ADR 0009)
    endpoints.kafkaClientConfig().forEach((k, v) -> command.add("-Dkafka." + k + "=" + v));
    command.add("-Dquarkus.datasource.jdbc.url=" + endpoints.jdbcUrl());
    command.add("-Dquarkus.datasource.username=" + endpoints.dbUser());
    command.add("-Dquarkus.datasource.password=" + endpoints.dbPassword());
    command.add("-Dquarkus.oidc.auth-server-url=" + endpoints.issuer());
    command.add("-Dquarkus.http.port=" + httpPort);
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dsafehub.data-dir=" + dataDir.toAbsolutePath());
    // development only: demo key pairs for the demo agencies, kept in the data dir
    command.add("-Dsafehub.keys.demo-agency-keys=true");
    // the dev stack's demo secrets (key-store and datasource passwords) are accepted only with this
    command.add("-Dsafehub.dev-stack=true");
    command.add("-jar");
    command.add(hubJar.toString());
    return command;
  }

  public static Process start(List<String> command) {
    try {
      // stdout and stderr are ours; stdin stays a pipe for the watchdog
      Process hub =
          new ProcessBuilder(ChildWatchdog.wrap(command))
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      HubClassArchive.watch(hub, command);
      return hub;
    } catch (IOException e) {
      throw new IllegalStateException("could not start the hub: " + e.getMessage(), e);
    }
  }

  /** The hub's JVM under {@code watchdog} ({@link ChildWatchdog}): its process id. */
  static long jvmPid(Process watchdog) {
    try (Stream<ProcessHandle> children = watchdog.descendants()) {
      return children
          .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
          .findFirst()
          .map(ProcessHandle::pid)
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "cannot find the hub's java process under pid " + watchdog.pid()));
    }
  }

  /**
   * Asks the hub to stop (SIGTERM, so Quarkus shuts down gracefully), forcibly after 30 s; a hub
   * that trained its class archive has it in place when this returns.
   */
  public static void stop(Process hub) {
    if (hub.isAlive()) {
      hub.destroy();
      try {
        if (!hub.waitFor(30, TimeUnit.SECONDS)) {
          hub.descendants().forEach(ProcessHandle::destroyForcibly);
          hub.destroyForcibly();
          hub.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    HubClassArchive.settle(hub);
  }
}
