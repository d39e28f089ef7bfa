package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The audit package sits at the bottom of the hub and the offline verifier needs nothing but
 * itself: read from the compiled classes (fully qualified references included), not from the
 * source's imports.
 */
class AuditDependenciesTest {

  /**
   * The hub's packages the audit package may name: its own layer (see the layers in issue 11) and
   * below.
   */
  private static final List<String> MAY_NAME =
      List.of(
          "org/safehub/audit/",
          "org/safehub/crypto/",
          "org/safehub/envelope/",
          "org/safehub/identity/",
          "org/safehub/config/",
          "org/safehub/problem/");

  @Test
  void theAuditPackageNamesNothingOfTheHubAboveIt() throws IOException {
    Set<String> upward = new TreeSet<>();
    for (String auditClass : auditClasses()) {
      for (String named : namedBy(auditClass)) {
        if (named.startsWith("org/safehub/") && MAY_NAME.stream().noneMatch(named::startsWith)) {
          upward.add(auditClass + " -> " + named);
        }
      }
    }
    assertEquals(Set.of(), upward);
  }

  @Test
  void theVerifierReachesNoDatabaseAndNoHubClassOutsideTheAuditPackage() throws IOException {
    // Given: every hub class the verifier's main class reaches, transitively
    Set<String> reached = new TreeSet<>();
    Set<String> outside = new TreeSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of("org/safehub/audit/AuditVerifier"));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (!reached.add(next)) {
        continue;
      }
      for (String named : namedBy(next)) {
        if (named.startsWith("java/sql/") || named.startsWith("javax/sql/")) {
          outside.add(next + " -> " + named);
        } else if (named.startsWith("org/safehub/audit/")) {
          todo.push(named);
        } else if (named.startsWith("org/safehub/")) {
          outside.add(next + " -> " + named);
        }
      }
    }
    // Then
    assertEquals(Set.of(), outside);
    assertTrue(reached.contains("org/safehub/audit/MerkleTree"), reached.toString());
    for (String hubSide :
        List.of(
            "AuditLog",
            "TreeStore",
            "AuditAppender",
            "AuditCheckpoints",
            "AuditQueries",
            "AuditExport",
            "SealedJustifications",
            "JustificationSealer")) {
      assertTrue(
          !reached.contains("org/safehub/audit/" + hubSide),
          hubSide + " is the hub's side: " + reached);
    }
  }

  private static Set<String> auditClasses() throws IOException {
    Path root = classesRoot();
    try (Stream<Path> files = Files.list(root.resolve("org/safehub/audit"))) {
      Set<String> classes = new TreeSet<>();
      files
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(n -> n.endsWith(".class"))
          .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length())));
      assertTrue(classes.contains("org/safehub/audit/AuditLog"), classes.toString());
      return classes;
    }
  }

  private static Set<String> namedBy(String className) throws IOException {
    try (InputStream in = Files.newInputStream(classesRoot().resolve(className + ".class"))) {
      return ClassFileNames.of(in);
    }
  }

  private static Path classesRoot() {
    try {
      return Path.of(AuditLog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
