package org.safehub.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.safehub.problem.Violation;

/**
 * Runs every example document in schemas/ through the catalogue the hub uses, and checks the
 * category tags.
 */
class SchemaExamplesTest {

  static final Path SCHEMAS = Path.of("schemas");
  static final Set<String> CATEGORIES =
      Set.of(
          "identity",
          "contact",
          "victim-location",
          "victim-contact",
          "child-location",
          "child-detail",
          "risk",
          "health",
          "criminal-offence",
          "attendance",
          "free-text",
          "operational");
  static final Set<String> TYPES =
      Set.of(
          "referral",
          "assessment-outcome",
          "attendance",
          "programme-exit",
          "risk-disclosure",
          "child-protection-alert",
          "marac-referral",
          "marac-action",
          "partner-contact-summary",
          "consent-change",
          "acknowledgement");

  private final ObjectMapper mapper = new ObjectMapper();
  private final SchemaCatalogue catalogue = SchemaCatalogue.load(SCHEMAS, mapper);

  @Test
  void everyMessageTypeOfTheBriefHasAVersionOneSchema() {
    assertEquals(TYPES, catalogue.types());
    TYPES.forEach(t -> assertTrue(catalogue.schema(t, 1).isPresent(), t));
  }

  @TestFactory
  Stream<DynamicTest> validExamplesAreAccepted() throws IOException {
    return examples("valid-")
        .map(
            p ->
                DynamicTest.dynamicTest(
                    SCHEMAS.relativize(p).toString(),
                    () -> {
                      ValidationResult r = catalogue.validate(mapper.readTree(p.toFile()));
                      if (r instanceof ValidationResult.Invalid inv) {
                        throw new AssertionError(inv.violations().toString());
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidExamplesAreRefusedAtTheExpectedPointers() throws IOException {
    return examples("invalid-")
        .map(
            p ->
                DynamicTest.dynamicTest(
                    SCHEMAS.relativize(p).toString(),
                    () -> {
                      JsonNode wrapper = mapper.readTree(p.toFile());
                      ValidationResult r = catalogue.validate(wrapper.get("message"));
                      ValidationResult.Invalid inv =
                          assertInstanceOf(ValidationResult.Invalid.class, r, "should be refused");
                      Set<String> pointers =
                          inv.violations().stream()
                              .map(Violation::pointer)
                              .collect(Collectors.toSet());
                      for (JsonNode expected : wrapper.get("expectedPointers")) {
                        assertTrue(
                            pointers.contains(expected.asText()),
                            "expected " + expected + " in " + pointers);
                      }
                    }));
  }

  @Test
  void everyTypeHasValidAndSeveralInvalidExamples() throws IOException {
    for (String type : TYPES) {
      try (Stream<Path> files = Files.list(SCHEMAS.resolve(type).resolve("examples"))) {
        List<String> names = files.map(f -> f.getFileName().toString()).toList();
        assertTrue(names.stream().anyMatch(n -> n.startsWith("valid-")), type);
        assertTrue(names.stream().filter(n -> n.startsWith("invalid-")).count() >= 3, type);
      }
    }
  }

  @Test
  void everyLeafFieldCarriesAKnownDataCategory() throws IOException {
    List<String> untagged = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SCHEMAS)) {
      for (Path f :
          files.filter(x -> x.getFileName().toString().endsWith(".schema.json")).toList()) {
        JsonNode doc = mapper.readTree(f.toFile());
        walk(doc, doc, SCHEMAS.relativize(f) + "#", untagged);
      }
    }
    assertEquals(List.of(), untagged, "leaf fields without a known x-safehub-category");
  }

  @Test
  void messagesOfRefusalsNeverEchoTheSendersPropertyNames() throws IOException {
    var msg =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            mapper.readTree(SCHEMAS.resolve("attendance/examples/valid-attended.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) msg.get("payload"))
        .put("JaneDoeLivesAt12HighStreet", "x");
    ValidationResult.Invalid inv =
        assertInstanceOf(ValidationResult.Invalid.class, catalogue.validate(msg));
    assertFalse(inv.violations().toString().contains("JaneDoe"), inv.violations().toString());
  }

  private static void walk(JsonNode root, JsonNode schema, String where, List<String> untagged) {
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      walk(root, root.at(ref.substring(1)), where + "->" + ref, untagged);
      return;
    }
    String type = schema.path("type").asText("");
    if (type.equals("object") || schema.has("properties")) {
      schema
          .path("properties")
          .fields()
          .forEachRemaining(e -> walk(root, e.getValue(), where + "/" + e.getKey(), untagged));
    } else if (type.equals("array")
        && schema.path("items").path("type").asText("").equals("object")) {
      walk(root, schema.get("items"), where + "[]", untagged);
    } else if (!CATEGORIES.contains(schema.path("x-safehub-category").asText(""))) {
      untagged.add(where);
    }
  }

  private static Stream<Path> examples(String prefix) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SCHEMAS)) {
      files
          .filter(
              p ->
                  p.getParent() != null
                      && p.getParent().getFileName() != null
                      && p.getParent().getFileName().toString().equals("examples")
                      && p.getFileName().toString().startsWith(prefix))
          .sorted()
          .forEach(out::add);
    }
    assertFalse(out.isEmpty());
    return out.stream();
  }
}
