package org.safehub.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An inline fully qualified name of a hub class is an import in disguise (STYLE.md): it hides a
 * dependency from the import list a reviewer reads. Every .java file under src/{main,test,...}/java
 * is scanned; outside import and package lines, comments and string literals, a reference such as
 * {@code org.safehub.audit.AuditEvent} fails the build, naming file:line.
 */
class NoInlineQualifiedNamesTest {

  /** A hub package path followed by a capitalised simple name: a class reference. */
  private static final Pattern HUB_CLASS =
      Pattern.compile("\\borg\\.safehub\\.(?:[a-z0-9_]+\\.)*[A-Z]\\w*");

  @Test
  void noSourceFileNamesAHubClassInline() throws IOException {
    List<Path> roots = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of("src"))) {
      dirs.map(d -> d.resolve("java")).filter(Files::isDirectory).forEach(roots::add);
    }
    assertTrue(roots.contains(Path.of("src", "main", "java")), "run from the project directory");
    List<String> found = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(f -> f.toString().endsWith(".java"))
            .sorted()
            .forEach(f -> found.addAll(inlineReferences(f)));
      }
    }
    assertEquals(
        List.of(),
        found,
        "import these hub classes instead of naming them inline (file:line: reference)");
  }

  @Test
  void theScanSeesCodeButNotCommentsStringsOrImports() {
    String source =
        String.join(
            "\n",
            "package org.safehub.demo;",
            "import org.safehub.audit.AuditEvent;",
            "/** org.safehub.audit.AuditLog in a doc comment */",
            "class A {",
            "  // org.safehub.trail.AuditTrail in a line comment",
            "  String s = \"org.safehub.api.Problems \\\" org.safehub.api.X\";",
            "  String t = \"\"\"",
            "      org.safehub.api.InBlock",
            "      \"\"\";",
            "  /* org.safehub.api.Block",
            "     org.safehub.api.Block2 */ org.safehub.crypto.PemKeys keys;",
            "  java.util.List<org.safehub.audit.AuditEvent> events;",
            "}");
    assertEquals(
        List.of("X.java:11: org.safehub.crypto.PemKeys", "X.java:12: org.safehub.audit.AuditEvent"),
        inlineReferences("X.java", source));
  }

  private static List<String> inlineReferences(Path file) {
    try {
      return inlineReferences(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> inlineReferences(String name, String source) {
    String code = codeOnly(source);
    List<String> found = new ArrayList<>();
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("import ") || line.startsWith("package ")) {
        continue;
      }
      Matcher m = HUB_CLASS.matcher(lines[i]);
      while (m.find()) {
        found.add(name + ":" + (i + 1) + ": " + m.group());
      }
    }
    return found;
  }

  /**
   * The source with comments, string literals, text blocks and char literals blanked out; line
   * breaks are kept so line numbers still match.
   */
  static String codeOnly(String source) {
    StringBuilder out = new StringBuilder(source);
    int n = source.length();
    int i = 0;
    while (i < n) {
      int end;
      if (source.startsWith("//", i)) {
        end = source.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (source.startsWith("\"\"\"", i)) {
        end = closing(source, i + 3, "\"\"\"");
      } else if (source.charAt(i) == '"') {
        end = closing(source, i + 1, "\"");
      } else if (source.charAt(i) == '\'') {
        end = closing(source, i + 1, "'");
      } else {
        i++;
        continue;
      }
      for (int k = i; k < end; k++) {
        if (source.charAt(k) != '\n') {
          out.setCharAt(k, ' ');
        }
      }
      i = end;
    }
    return out.toString();
  }

  /** The index just past the closing quote, skipping escaped characters. */
  private static int closing(String source, int from, String quote) {
    int k = from;
    while (k < source.length()) {
      if (source.charAt(k) == '\\') {
        k += 2;
      } else if (source.startsWith(quote, k)) {
        return k + quote.length();
      } else {
        k++;
      }
    }
    return source.length();
  }
}
