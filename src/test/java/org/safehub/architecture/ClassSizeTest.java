package org.safehub.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A class a newcomer must read whole stays short: no source file under src/main over 400 lines. */
class ClassSizeTest {

  private static final int MAX_LINES = 400;

  @Test
  void noMainSourceFileIsLongerThan400Lines() throws IOException {
    List<String> tooLong;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      tooLong =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> lines(f) > MAX_LINES)
              .map(f -> f + ": " + lines(f) + " lines")
              .sorted()
              .toList();
    }
    assertEquals(List.of(), tooLong, "split these by job (README, 'How the code is laid out')");
  }

  private static long lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).size();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }
}
