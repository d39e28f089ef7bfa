package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * PostgreSQL runs daemonized, so a dev stack that died abruptly (kill -9) leaves its postmaster
 * running on the kept data directory, and the next start would fail. This stops such a leftover -
 * but only when no live dev stack holds the directory's lock (zonky's {@code epg-lock}).
 */
final class OrphanedPostmaster {

  private OrphanedPostmaster() {}

  static void stopIfAny(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    try (FileChannel channel =
        FileChannel.open(
            dataDir.resolve("epg-lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new IllegalStateException(
            "PostgreSQL data directory " + dataDir + " is in use by another running dev stack");
      }
      try {
        postmaster(pidFile).ifPresent(OrphanedPostmaster::stop);
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not check " + dataDir + " for a leftover PostgreSQL", e);
    }
  }

  /** Null when another process, or another dev stack in this JVM, holds the lock. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static Optional<ProcessHandle> postmaster(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(handle -> handle.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
  }

  /**
   * SIGTERM is PostgreSQL's "smart" shutdown; its clients died with the old JVM, so it ends
   * promptly.
   */
  private static void stop(ProcessHandle postmaster) {
    postmaster.destroy();
    try {
      postmaster.onExit().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      postmaster.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping a leftover PostgreSQL", e);
    }
  }
}
