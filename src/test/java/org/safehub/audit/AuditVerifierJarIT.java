package org.safehub.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier as an auditor gets it: {@code target/safehub-audit-verifier.jar} (built by {@code
 * package}, before Failsafe runs), started with {@code java -jar} in a JVM of its own, nothing of
 * the hub on its class path, against an export of a real log.
 */
class AuditVerifierJarIT {

  private static final Path JAR = Path.of("target", "safehub-audit-verifier.jar");

  /** Names of classes outside the JDK, as class files write them. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?:org|com|io|jakarta|net)/[A-Za-z0-9_/$]+");

  @TempDir static Path dir;
  private static KeyPair keys;
  private static AuditLog log;
  private static List<String> export;
  private static Path pem;

  @BeforeAll
  static void exportARealLog() throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is built by ./mvnw package");
    keys = AuditDatabase.p256();
    log =
        new AuditLog(
            AuditDatabase.fresh(), keys, AuditDatabase.testSealer(), AuditLog.Settings.defaults());
    log.append(AuditLogIT.events(0, 40));
    log.checkpointNow();
    log.append(AuditLogIT.events(40, 60));
    StringWriter out = new StringWriter();
    log.export(0, 59, out);
    export = out.toString().lines().toList();
    pem = Files.writeString(dir.resolve("audit-public.pem"), AuditVerifier.toPem(keys.getPublic()));
  }

  @Test
  void theJarVerifiesARealExportOnAJdkAlone() throws Exception {
    // Given
    Path file = Files.write(dir.resolve("audit.jsonl"), export, StandardCharsets.UTF_8);
    // When
    Run run = runJar("--export", file.toString(), "--public-key", pem.toString());
    // Then
    assertEquals(0, run.exit(), run.toString());
    assertEquals(
        "verified: 60 events, 2 checkpoints, root " + HexFormat.of().formatHex(log.root(60)),
        run.out(),
        run.toString());
  }

  @Test
  void theJarNamesATamperedEventAndExitsOne() throws Exception {
    // Given: seq 17's case reference edited, its leaf hash left as it was
    List<String> tampered = new ArrayList<>(export);
    int line = lineOf(17);
    String edited =
        tampered.get(line).replace("\"caseRef\":\"CASE-17\"", "\"caseRef\":\"CASE-18\"");
    assertFalse(edited.equals(tampered.get(line)), "the edit took");
    tampered.set(line, edited);
    Path file = Files.write(dir.resolve("tampered.jsonl"), tampered, StandardCharsets.UTF_8);
    // When
    Run run = runJar("--export", file.toString(), "--public-key", pem.toString());
    // Then
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.out().startsWith("altered at seq 17: "), run.toString());
  }

  @Test
  void theJarRefusesAnExportUnderAnotherKey() throws Exception {
    // Given
    Path file = Files.write(dir.resolve("audit-other.jsonl"), export, StandardCharsets.UTF_8);
    Path other =
        Files.writeString(
            dir.resolve("other-public.pem"), AuditVerifier.toPem(AuditDatabase.p256().getPublic()));
    // When
    Run run = runJar("--export", file.toString(), "--public-key", other.toString());
    // Then
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.out().startsWith("bad-checkpoint-signature: "), run.toString());
  }

  @Test
  void theJarHoldsTheVerifierAndEveryClassItNamesButNothingElseOfTheHub() throws IOException {
    Set<String> classes = new TreeSet<>();
    Set<String> hubClasses = new TreeSet<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      jar.stream()
          .map(JarEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
          .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length())));
      classes.stream().filter(n -> n.startsWith("org/safehub/")).forEach(hubClasses::add);
      Set<String> unresolved = new TreeSet<>();
      for (String hubClass : hubClasses) {
        try (InputStream in = jar.getInputStream(jar.getEntry(hubClass + ".class"))) {
          for (String named : ClassFileNames.of(in)) {
            if (CLASS_NAME.matcher(named).matches() && !classes.contains(named)) {
              unresolved.add(hubClass + " -> " + named);
            }
          }
        }
      }
      assertEquals(Set.of(), unresolved, "classes the verifier names but the jar lacks");
    }
    assertTrue(hubClasses.contains("org/safehub/audit/AuditVerifier"), hubClasses.toString());
    assertEquals(
        Set.of(),
        hubClasses.stream()
            .filter(n -> !n.startsWith("org/safehub/audit/"))
            .collect(Collectors.toSet()),
        "hub classes outside the audit package");
    for (String dbSide : List.of("AuditLog", "TreeStore", "AuditAppender", "AuditExport")) {
      assertFalse(
          hubClasses.contains("org/safehub/audit/" + dbSide),
          dbSide + " is the hub's side, not the verifier's");
    }
  }

  // --- helpers

  private record Run(int exit, String out, String err) {}

  /**
   * {@code java -jar} the verifier in a JVM of its own: the JDK running this test, and no class
   * path.
   */
  private static Run runJar(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("CLASSPATH");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JDK_JAVA_OPTIONS");
    Path out = Files.createTempFile(dir, "verifier", ".out");
    Path err = Files.createTempFile(dir, "verifier", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the verifier did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
  }

  private static int lineOf(long seq) {
    for (int i = 0; i < export.size(); i++) {
      if (export.get(i).startsWith("{\"type\":\"event\",\"seq\":" + seq + ",")) {
        return i;
      }
    }
    throw new AssertionError("no line for seq " + seq);
  }
}
