package org.safehub.devstack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubProcessTest {

  private static final DevStack.Endpoints ENDPOINTS =
      new DevStack.Endpoints(
          "127.0.0.1:9092",
          Map.of(),
          "127.0.0.1:9093",
          "jdbc:postgresql://127.0.0.1:5432/safehub",
          "safehub",
          "unused",
          "http://127.0.0.1:8180");

  private static List<String> command(List<String> callerOptions) {
    return HubProcess.command(
        callerOptions,
        ENDPOINTS,
        8080,
        Path.of("target", "hub-process-test"),
        Path.of("target", "quarkus-app", "quarkus-run.jar"));
  }

  @Test
  void theHubStartsWithTheShippedJvmOptionsBeforeTheCallersOwn() {
    List<String> command = command(List.of("-Xmx512m"));
    String shipped = "@" + HubProcess.JVM_OPTIONS.toAbsolutePath();
    assertTrue(command.contains(shipped), command::toString);
    // a java argument file is read where it stands: the caller's options come later and win
    assertTrue(command.indexOf(shipped) < command.indexOf("-Xmx512m"), command::toString);
    assertTrue(command.indexOf("-Xmx512m") < command.indexOf("-jar"), command::toString);
  }

  @Test
  void theShippedCommandMapsNoClassArchiveEvenWhenOneIsReady(@TempDir Path build) throws Exception {
    // Given a build whose class archive is ready (a benchmark or a test trained it)
    Path jar = Files.createFile(build.resolve("quarkus-run.jar"));
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
    Files.writeString(HubClassArchive.archive(jar), "archive");
    // When the hub is started as shipped (the start command, the packaged tests)
    List<String> command =
        HubProcess.command(List.of(), ENDPOINTS, 8080, build.resolve("data"), jar);
    // Then its JVM neither maps nor trains one, as a deployment started with java -jar would not
    assertTrue(
        command.stream().noneMatch(o -> o.contains("Archive") || o.startsWith("-Xshare")),
        command::toString);
    // And asked for the archive, it maps it
    assertTrue(
        HubProcess.command(List.of(), ENDPOINTS, 8080, build.resolve("data"), jar, true)
            .contains("-XX:SharedArchiveFile=" + HubClassArchive.archive(jar)));
  }

  @Test
  void theShippedJvmOptionsBoundTheHeapAndTheJvmsOtherMemory() throws Exception {
    List<String> options =
        Files.readAllLines(HubProcess.JVM_OPTIONS).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertTrue(options.stream().allMatch(o -> o.startsWith("-")), options::toString);
    for (String bound : List.of("-Xmx", "-XX:MaxMetaspaceSize=", "-XX:MaxDirectMemorySize=")) {
      assertTrue(options.stream().anyMatch(o -> o.startsWith(bound)), bound);
    }
  }
}
