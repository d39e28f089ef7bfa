package org.safehub.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.safehub.envelope.UpwardArrowFixture;

/**
 * The hub's floors, top to bottom (README, "How the code is laid out"): a package may depend only
 * on its own floor or a lower one, and no packages form a cycle. ArchUnit reads the compiled
 * classes, so a fully qualified name in the code counts like an import.
 */
class ArchitectureTest {

  /** Top floor first. Every package of the hub is on exactly one floor. */
  static final List<List<String>> FLOORS =
      List.of(
          List.of(
              "api", "limits", "wiring",
              "client"), // HTTP resources, problem mapping, request limits, health; the client tool
          List.of("ingress", "pipeline"),
          List.of("consent", "policy", "sealing", "delivery"), // the stages
          List.of("routing", "cases", "validation", "keys", "agencies", "deadlines"),
          List.of(
              "envelope",
              "identity",
              "audit",
              "crypto",
              "trail",
              "config",
              "kafka",
              "problem",
              "copy",
              "db")); // ground; copy = stage vocabulary, db = transactions, reads together

  private static final JavaClasses HUB =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.safehub");

  static ArchRule layers() {
    List<ArchRule> rules = new ArrayList<>();
    for (int floor = 1; floor < FLOORS.size(); floor++) {
      String[] above =
          FLOORS.subList(0, floor).stream()
              .flatMap(List::stream)
              .map(p -> "org.safehub." + p + "..")
              .toArray(String[]::new);
      for (String pkg : FLOORS.get(floor)) {
        rules.add(
            noClasses()
                .that()
                .resideInAPackage("org.safehub." + pkg + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(above)
                .as(
                    "org.safehub."
                        + pkg
                        + " (floor "
                        + (floor + 1)
                        + ") depends on no package of a higher floor")
                .allowEmptyShould(true));
      }
    }
    return CompositeArchRule.of(rules).as("every dependency points down the floors");
  }

  static ArchRule noCycles() {
    return slices().matching("org.safehub.(*)..").should().beFreeOfCycles();
  }

  @Test
  void everyDependencyPointsDownTheFloors() {
    layers().check(HUB);
  }

  @Test
  void noPackagesFormACycle() {
    noCycles().check(HUB);
  }

  @Test
  void everyPackageOfTheHubIsOnAFloor() {
    Set<String> onAFloor = FLOORS.stream().flatMap(List::stream).collect(Collectors.toSet());
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : HUB) {
      String rest = c.getPackageName().substring("org.safehub".length());
      packages.add(rest.isEmpty() ? "(org.safehub itself)" : rest.substring(1).split("\\.", -1)[0]);
    }
    packages.removeAll(onAFloor);
    assertEquals(
        Set.of(), packages, "packages not on any floor: give each a floor in FLOORS and README");
  }

  @Test
  void anUpwardArrowFailsTheBuild() {
    // Given a ground-floor class that reaches up to the HTTP layer (test fixture)
    JavaClasses withUpwardArrow = new ClassFileImporter().importClasses(UpwardArrowFixture.class);
    // When / Then
    AssertionError e = assertThrows(AssertionError.class, () -> layers().check(withUpwardArrow));
    assertTrue(e.getMessage().contains("org.safehub.api"), e.getMessage());
  }
}
