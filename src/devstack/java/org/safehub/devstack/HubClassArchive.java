package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The hub's class-data archive (AppCDS: a JDK dynamic archive), so that a start loads the hub's
 * classes mapped from one file instead of reading, parsing and verifying them from the jars. A
 * deployment option (ADR 0014) that the benchmark times beside the shipped start; the start command
 * and the packaged tests run the hub without it ({@link HubProcess#command}).
 *
 * <p>The archive lies beside the hub's jar, named for the JVM that wrote it. A start that finds it,
 * newer than every file of the build, maps it. A start that does not trains it: the JVM writes the
 * classes it loaded to a file of that start's own when the hub exits, and the launcher moves that
 * file into place once the hub has exited on its own or on a stop signal (a hub killed or crashed
 * leaves a file that is deleted, never used). Two hubs training at once write two files and the
 * last to exit wins; a hub running from the archive keeps the one it mapped. The JVM checks the
 * archive itself as well (its own build, the jars' sizes and times): one it cannot use is ignored,
 * with a warning in the hub's log, and the hub starts as without it.
 */
public final class HubClassArchive {

  /** Exit codes of a JVM that ran its shutdown and wrote its archive: 0, SIGINT, SIGTERM. */
  private static final Set<Integer> GRACEFUL = Set.of(0, 130, 143);

  /**
   * A training file older than this is a leftover of a launcher that died: no JVM still writes it.
   */
  private static final Duration LEFTOVER = Duration.ofHours(1);

  private static final String TRAIN = "-XX:ArchiveClassesAtExit=";
  private static final String USE = "-XX:SharedArchiveFile=";

  /**
   * Training files that {@link #options} gave out and no start has taken yet, and the archive each
   * becomes: only these are ever moved or deleted, never an archive option of the caller's own.
   */
  private static final Map<Path, Path> PLANNED = new ConcurrentHashMap<>();

  /** Training hubs still running, by process id: where their JVM writes, where that goes. */
  private static final Map<Long, Training> TRAINING = new ConcurrentHashMap<>();

  private record Training(Path written, Path archive) {}

  private HubClassArchive() {}

  /** The archive for {@code hubJar} on this JVM. */
  static Path archive(Path hubJar) {
    String jvm =
        System.getProperty("java.vm.version", "unknown").replaceAll("[^A-Za-z0-9.+_-]", "_");
    return hubJar.toAbsolutePath().getParent().resolve("hub-cds-" + jvm + ".jsa");
  }

  /** Whether a start of {@code hubJar} maps an archive (else it trains one). */
  static boolean ready(Path hubJar) {
    Path archive = archive(hubJar);
    try {
      if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
        return false;
      }
      FileTime made = Files.getLastModifiedTime(archive);
      try (Stream<Path> build = Files.walk(archive.getParent())) {
        return build
            .filter(Files::isRegularFile)
            .filter(f -> !isArchiveFile(f))
            .allMatch(f -> olderThan(f, made));
      }
    } catch (IOException | UncheckedIOException e) {
      return false; // e.g. a build rewriting the directory meanwhile
    }
  }

  /**
   * Whether the launcher manages the archive for a hub started with the caller's {@code
   * jvmOptions}: not when they choose class sharing themselves ({@code -Xshare:off}, an archive of
   * their own), which a training start would contradict (the JVM refuses to start).
   */
  static boolean managed(List<String> jvmOptions) {
    return jvmOptions.stream()
        .noneMatch(o -> o.startsWith("-Xshare:") || o.startsWith(TRAIN) || o.startsWith(USE));
  }

  /**
   * Whether the JVM {@code jvmPid} has the archive of {@code hubJar} mapped (it ignores one it
   * cannot use, with a warning, and starts without it).
   */
  static boolean mappedBy(long jvmPid, Path hubJar) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(jvmPid), "maps"))
        .contains(archive(hubJar).toString());
  }

  /**
   * The JVM options for a start of {@code hubJar} with the caller's {@code jvmOptions}: map the
   * archive if it is ready, else train it; none if the caller chose class sharing themselves
   * ({@link #managed}).
   */
  static List<String> options(Path hubJar, List<String> jvmOptions) {
    if (!managed(jvmOptions)) {
      return List.of();
    }
    Path archive = archive(hubJar);
    if (ready(hubJar)) {
      return List.of(USE + archive);
    }
    deleteLeftovers(archive);
    Path written =
        archive.resolveSibling(archive.getFileName() + "." + UUID.randomUUID() + ".part");
    PLANNED.put(written, archive);
    // without its warnings: the dump lists each class it leaves out (hundreds); errors still show
    return List.of(TRAIN + written, "-Xlog:cds=error");
  }

  /**
   * Follows a hub started with {@code command}: if it trains with a file that {@link #options} gave
   * out, its archive is moved into place when it has exited gracefully ({@link #settle}, also run
   * by {@code HubProcess.stop}).
   */
  static void watch(Process hub, List<String> command) {
    for (String option : command) {
      if (option.startsWith(TRAIN)) {
        Path written = Path.of(option.substring(TRAIN.length()));
        Path archive = PLANNED.remove(written);
        if (archive != null) {
          TRAINING.put(hub.pid(), new Training(written, archive));
          CompletableFuture<Void> unused = hub.onExit().thenAccept(HubClassArchive::settle);
        }
      }
    }
  }

  /**
   * Once {@code hub} has exited: a training hub's archive is moved into place if it exited
   * gracefully, else deleted. Does nothing for a hub still running or not training. Synchronized:
   * the exit callback and {@code HubProcess.stop} both call it, and the later waits until the
   * earlier has moved the file, so a stop returns with the archive in place.
   */
  static synchronized void settle(Process hub) {
    if (hub.isAlive()) {
      return;
    }
    Training t = TRAINING.remove(hub.pid());
    if (t == null) {
      return;
    }
    try {
      if (GRACEFUL.contains(hub.exitValue())
          && Files.isRegularFile(t.written())
          && Files.size(t.written()) > 0) {
        Files.move(
            t.written(),
            t.archive(),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(t.written());
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(t.written());
      } catch (IOException ignored) {
        // the next training start deletes it as a leftover
      }
    }
  }

  private static boolean isArchiveFile(Path f) {
    String name = f.getFileName().toString();
    return name.startsWith("hub-cds-") && (name.endsWith(".jsa") || name.endsWith(".part"));
  }

  private static boolean olderThan(Path f, FileTime made) {
    try {
      return Files.getLastModifiedTime(f).compareTo(made) < 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteLeftovers(Path archive) {
    FileTime before = FileTime.from(Instant.now().minus(LEFTOVER));
    try (Stream<Path> files = Files.list(archive.getParent())) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(archive.getFileName() + ".")
            && name.endsWith(".part")
            && olderThan(f, before)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      // leftovers stay until the next training start
    }
  }
}
