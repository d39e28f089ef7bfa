package org.safehub.validation;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema's {@code maxLength}, checked before any {@code format} or {@code pattern} runs. The
 * validator evaluates every keyword of a location and its order is not guaranteed, so a 64 KiB
 * string under a 254-character {@code format: email} would still be matched by the email expression
 * (seconds of CPU). This walk finds every string longer than the {@code maxLength} its location
 * declares (directly, through a local {@code $ref}, or an {@code allOf} member: the bounds that
 * always apply) and cuts it to that length in a copy, so the validator only ever sees strings as
 * long as the schema allows. Cost: one pass over the message, linear in its size.
 */
final class StringBounds {

  /**
   * Walks no deeper than this through {@code $ref} and {@code allOf} chains (the parser caps
   * instance depth).
   */
  private static final int MAX_SCHEMA_HOPS = 32;

  private StringBounds() {}

  /**
   * Every string in {@code instance} longer than its location's {@code maxLength}: pointer
   * (prefixed by {@code at}) to the bound.
   */
  static Map<String, Integer> overLong(JsonNode instance, JsonNode schemaDocument, String at) {
    Map<String, Integer> out = new LinkedHashMap<>();
    walk(instance, applicable(schemaDocument, schemaDocument), schemaDocument, at, out);
    return out;
  }

  /**
   * A copy of {@code message} with every string at a pointer of {@code bounds} cut to its bound (in
   * code points).
   */
  static JsonNode truncated(JsonNode message, Map<String, Integer> bounds) {
    JsonNode copy = message.deepCopy();
    for (Map.Entry<String, Integer> b : bounds.entrySet()) {
      JsonPointer p = JsonPointer.compile(b.getKey());
      JsonNode parent = copy.at(p.head());
      String text = copy.at(p).asText();
      TextNode cut = TextNode.valueOf(text.substring(0, text.offsetByCodePoints(0, b.getValue())));
      if (parent instanceof ObjectNode o) {
        o.set(p.last().getMatchingProperty(), cut);
      } else if (parent instanceof ArrayNode a) {
        a.set(p.last().getMatchingIndex(), cut);
      }
    }
    return copy;
  }

  private static void walk(
      JsonNode node,
      List<JsonNode> schemas,
      JsonNode document,
      String at,
      Map<String, Integer> out) {
    if (schemas.isEmpty()) {
      return;
    }
    if (node.isTextual()) {
      int bound = Integer.MAX_VALUE;
      for (JsonNode s : schemas) {
        JsonNode max = s.get("maxLength");
        if (max != null && max.canConvertToInt() && max.intValue() >= 0) {
          bound = Math.min(bound, max.intValue());
        }
      }
      String text = node.textValue();
      // length in code points, as JSON Schema counts it; the char count is an upper bound, so skip
      // the scan when it fits
      if (bound != Integer.MAX_VALUE
          && text.length() > bound
          && text.codePointCount(0, text.length()) > bound) {
        out.put(at, bound);
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        List<JsonNode> children = new ArrayList<>();
        for (JsonNode s : schemas) {
          JsonNode child = s.path("properties").get(field.getKey());
          if (child != null && child.isObject()) {
            children.addAll(applicable(child, document));
          }
        }
        walk(
            field.getValue(),
            children,
            document,
            at + "/" + field.getKey().replace("~", "~0").replace("/", "~1"),
            out);
      }
    } else if (node.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      for (JsonNode s : schemas) {
        JsonNode item = s.get("items");
        if (item != null && item.isObject()) {
          items.addAll(applicable(item, document));
        }
      }
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), items, document, at + "/" + i, out);
      }
    }
  }

  /**
   * {@code schema} and the schemas that always apply with it: its local {@code $ref} target and
   * {@code allOf} members, transitively.
   */
  private static List<JsonNode> applicable(JsonNode schema, JsonNode document) {
    List<JsonNode> out = new ArrayList<>();
    add(schema, document, out, 0);
    return out;
  }

  private static void add(JsonNode schema, JsonNode document, List<JsonNode> out, int hops) {
    if (schema == null || !schema.isObject() || hops > MAX_SCHEMA_HOPS) {
      return;
    }
    out.add(schema);
    JsonNode ref = schema.get("$ref");
    if (ref != null && ref.isTextual() && ref.asText().startsWith("#/")) {
      try {
        add(document.at(JsonPointer.compile(ref.asText().substring(1))), document, out, hops + 1);
      } catch (IllegalArgumentException e) {
        // not a usable pointer: the validator reports the schema fault; nothing to bound here
      }
    }
    JsonNode all = schema.get("allOf");
    if (all != null && all.isArray()) {
      for (JsonNode member : all) {
        add(member, document, out, hops + 1);
      }
    }
  }
}
