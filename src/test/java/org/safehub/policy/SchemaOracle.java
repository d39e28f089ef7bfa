package org.safehub.policy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tests' own reading of the schemas, written apart from {@link CategoryMap} and {@link
 * Redactor}: every leaf of a message (a scalar, or an empty object or array) by JSON pointer, with
 * the category found by walking the raw schema documents along the leaf's path.
 */
final class SchemaOracle {

  static final Set<String> KNOWN =
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
  static final Set<String> GUARDED =
      Set.of("victim-location", "victim-contact", "child-location", "free-text");

  private SchemaOracle() {}

  /**
   * Leaf pointer to category, for a whole message whose payload follows the schema of {@code type}.
   */
  static Map<String, String> leaves(JsonNode message, String type) {
    JsonNode payloadDoc = Fixtures.payloadSchema(type);
    Map<String, String> out = new TreeMap<>();
    walk(message, "", Fixtures.ENVELOPE_SCHEMA, Fixtures.ENVELOPE_SCHEMA, payloadDoc, true, out);
    return out;
  }

  /** Leaves only, pointer to value. */
  static Map<String, JsonNode> values(JsonNode node) {
    Map<String, JsonNode> out = new TreeMap<>();
    values(node, "", out);
    return out;
  }

  private static void values(JsonNode node, String at, Map<String, JsonNode> out) {
    if (!node.isContainerNode() || node.isEmpty()) {
      out.put(at, node);
    } else if (node.isObject()) {
      node.fields().forEachRemaining(f -> values(f.getValue(), at + "/" + escape(f.getKey()), out));
    } else {
      for (int i = 0; i < node.size(); i++) {
        values(node.get(i), at + "/" + i, out);
      }
    }
  }

  private static void walk(
      JsonNode node,
      String at,
      JsonNode schema,
      JsonNode doc,
      JsonNode payloadDoc,
      boolean root,
      Map<String, String> out) {
    JsonNode s = resolve(schema, doc);
    if (!node.isContainerNode() || node.isEmpty()) {
      JsonNode tag = s == null ? null : s.get("x-safehub-category");
      out.put(
          at,
          tag != null && tag.isTextual() && KNOWN.contains(tag.asText())
              ? tag.asText()
              : "untagged");
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String where = at + "/" + escape(f.getKey());
        if (root && f.getKey().equals("payload")) {
          walk(f.getValue(), where, payloadDoc, payloadDoc, payloadDoc, false, out);
        } else {
          JsonNode props = s == null ? null : s.get("properties");
          JsonNode child = props != null && props.isObject() ? props.get(f.getKey()) : null;
          walk(f.getValue(), where, child, doc, payloadDoc, false, out);
        }
      }
    } else {
      JsonNode items = s == null ? null : s.get("items");
      for (int i = 0; i < node.size(); i++) {
        walk(
            node.get(i),
            at + "/" + i,
            items != null && items.isObject() ? items : null,
            doc,
            payloadDoc,
            false,
            out);
      }
    }
  }

  private static JsonNode resolve(JsonNode schema, JsonNode doc) {
    JsonNode s = schema;
    for (int hops = 0;
        s != null && s.has("$ref") && !s.has("x-safehub-category") && hops < 16;
        hops++) {
      String ref = s.get("$ref").asText();
      s = ref.startsWith("#/") ? doc.at(JsonPointer.compile(ref.substring(1))) : null;
      s = s == null || s.isMissingNode() ? null : s;
    }
    return s != null && s.isObject() ? s : null;
  }

  static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
