package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CategoryMapTest {

  @Test
  void everyLeafOfEveryShippedSchemaHasAKnownCategory() {
    // Given every message type's map, with the envelope around it
    for (String type : Fixtures.CATALOGUE.types()) {
      // When
      Map<String, String> leaves = Fixtures.messageMap(type).leaves();
      // Then
      Map<String, String> gaps =
          leaves.entrySet().stream()
              .filter(e -> e.getValue().equals(CategoryMap.UNTAGGED))
              .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      assertTrue(gaps.isEmpty(), type + " has untagged leaves: " + gaps.keySet());
    }
  }

  @Test
  void mapsNestedObjectsArraysOfObjectsAndArraysOfScalars() {
    // Given
    CategoryMap referral = Fixtures.messageMap("referral");
    // When
    Map<String, String> leaves = referral.leaves();
    // Then
    assertEquals("victim-location", leaves.get("/payload/victim/address"));
    assertEquals("free-text", leaves.get("/payload/offenceHistory/*/offence"));
    assertEquals("criminal-offence", leaves.get("/payload/offenceHistory/*/outcome"));
    assertEquals("child-detail", leaves.get("/payload/children/ages/*"));
    assertEquals("free-text", leaves.get("/legalBasis/justification"));
    assertEquals("operational", leaves.get("/subjects/*/role"));
    assertEquals("operational", leaves.get("/messageId"));
  }

  @Test
  void followsLocalRefsIncludingRecursiveOnesAndIgnoresConditionalRestatements() {
    // Given a schema with $defs, a recursive $ref, and an if/then that restates a leaf with another
    // tag
    String schema =
        """
        {"type": "object",
         "properties": {
           "home": {"$ref": "#/$defs/place"},
           "tree": {"$ref": "#/$defs/node"},
           "code": {"type": "string", "x-safehub-category": "operational"},
           "odd": {"type": "string", "x-safehub-category": "secret-sauce"},
           "bare": {"type": "string"}
         },
         "if": {"properties": {"code": {"const": "x"}}},
         "then": {"properties": {"code": {"x-safehub-category": "free-text"}, "ghost": {"x-safehub-category": "operational"}}},
         "allOf": [{"properties": {"phantom": {"type": "string", "x-safehub-category": "operational"}}}],
         "$defs": {
           "place": {"type": "object", "properties": {"postcode": {"type": "string", "x-safehub-category": "victim-location"}}},
           "node": {"type": "object", "properties": {
             "label": {"type": "string", "x-safehub-category": "identity"},
             "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}
         }}
        """;
    // When
    CategoryMap map = CategoryMap.of(Fixtures.json(schema));
    // Then
    CategoryMap.Node root = map.root();
    assertEquals(
        DataCategory.VICTIM_LOCATION, root.property("home").property("postcode").category());
    assertEquals(
        DataCategory.IDENTITY,
        root.property("tree")
            .property("children")
            .items()
            .property("children")
            .items()
            .property("label")
            .category());
    assertEquals(DataCategory.OPERATIONAL, root.property("code").category());
    assertEquals(
        DataCategory.UNTAGGED, root.property("odd").category(), "an unknown tag is untagged");
    assertEquals(DataCategory.UNTAGGED, root.property("bare").category(), "no tag is untagged");
    assertNull(root.property("ghost"), "a location only a conditional mentions does not exist");
    assertNull(root.property("phantom"), "a location only an allOf mentions does not exist");
    assertEquals("identity", map.leaves().get("/tree/label"));
  }
}
