package org.safehub.devstack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog passes on the child's own exit status, which {@link HubClassArchive} reads to tell a
 * hub that shut down (and wrote its archive) from one that was killed.
 */
class ChildWatchdogTest {

  @TempDir Path dir;

  /**
   * A child that says it is running (and has its TERM trap set) by writing its process id to {@code
   * ready}.
   */
  private Process child(String onTerm, Path ready) throws Exception {
    String script =
        (onTerm == null ? "" : "trap '" + onTerm + "' TERM; ")
            + "echo $$ > '"
            + ready
            + ".tmp' && mv '"
            + ready
            + ".tmp' '"
            + ready
            + "'; while :; do sleep 0.05; done";
    Process watchdog = new ProcessBuilder(ChildWatchdog.wrap(List.of("sh", "-c", script))).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(ready));
    return watchdog;
  }

  @Test
  void aChildThatShutsDownOnSigtermGivesItsStatusThroughTheWatchdog() throws Exception {
    // Given a child that, like the JVM, runs its shutdown on SIGTERM and exits 143
    Process watchdog = child("exit 143", dir.resolve("ready"));
    // When the launcher stops it as HubProcess.stop does
    watchdog.destroy();
    // Then the watchdog exits with the child's status
    assertTrue(watchdog.waitFor(20, TimeUnit.SECONDS));
    assertEquals(143, watchdog.exitValue());
  }

  @Test
  void aChildKilledOutrightGivesTheKilledStatusThroughTheWatchdog() throws Exception {
    // Given a running child
    Path ready = dir.resolve("ready");
    Process watchdog = child(null, ready);
    long pid = Long.parseLong(Files.readString(ready).trim());
    // When it is killed with SIGKILL (as a crash or the OOM killer would end the hub)
    assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly());
    // Then the watchdog exits with 137, which the class archive treats as not graceful
    assertTrue(watchdog.waitFor(20, TimeUnit.SECONDS));
    assertEquals(137, watchdog.exitValue());
  }
}
