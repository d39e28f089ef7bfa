package org.safehub.devstack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.PackagedHubs;

/**
 * The packaged hub's class archive ({@link HubClassArchive}), as the benchmark measures it beside
 * the shipped start: the first start trains it, the next maps it.
 */
class PackagedClassArchiveIT {

  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

  private static Process start(int port) {
    return HubProcess.start(
        HubProcess.command(
            List.of(
                "-Dsafehub.kafka.topic-prefix=archive-packaged.",
                "-Dsafehub.instance-id=archive-packaged",
                "-Dquarkus.log.level=WARN"),
            ComponentsResource.endpoints(),
            port,
            Path.of("target", "test-data"),
            JAR,
            true));
  }

  @Test
  void theFirstStartTrainsTheArchiveAndTheNextMapsIt() throws Exception {
    new ComponentsResource().start(); // the run's shared Kafka, PostgreSQL and Keycloak
    Path archive = HubClassArchive.archive(JAR);
    Files.deleteIfExists(archive);
    // Given a build without an archive: its first start trains one
    int port = Ports.free();
    Process first = start(port);
    try {
      PackagedHubs.awaitReady(URI.create("http://127.0.0.1:" + port), "training hub");
      // its JVM writes the classes it loaded when it exits, to a training file of its own
      String cmdline =
          Files.readString(Path.of("/proc", Long.toString(HubProcess.jvmPid(first)), "cmdline"));
      assertTrue(cmdline.contains("-XX:ArchiveClassesAtExit=" + archive + "."), cmdline);
    } finally {
      // When it stops (SIGTERM, as the benchmark stops it)
      HubProcess.stop(first);
    }
    // Then the archive is in place
    assertTrue(HubClassArchive.ready(JAR), "archive written at the first stop");
    // and the next start of the same build maps it and is ready
    port = Ports.free();
    Process second = start(port);
    try {
      PackagedHubs.awaitReady(URI.create("http://127.0.0.1:" + port), "hub from its archive");
      assertTrue(
          HubClassArchive.mappedBy(HubProcess.jvmPid(second), JAR), "the JVM mapped " + archive);
    } finally {
      HubProcess.stop(second);
    }
  }
}
