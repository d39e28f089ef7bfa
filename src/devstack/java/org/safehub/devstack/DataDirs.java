package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** File-tree chores for the dev stack's data directory, kept out of the component classes. */
final class DataDirs {

  private DataDirs() {}

  static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
  }

  static Path createTemp(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory", e);
    }
  }

  /** Deletes everything inside {@code dir}, keeping {@code dir} itself; a missing dir is fine. */
  static void deleteContents(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      children = list.collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + dir, e);
    }
    children.forEach(DataDirs::deleteRecursively);
  }

  /**
   * Deletes {@code path} and everything under it; a missing path is fine. Symbolic links are not
   * followed.
   */
  static void deleteRecursively(Path path) {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + path, e);
    }
  }

  /** The last {@code lines} lines of a text file, or a note saying why there are none. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
      return String.join(
          System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
