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
import org.safehub.problem.Violation;

/**
 * The schema's size bounds, {@code maxLength} and {@code maxItems}, checked before the validator
 * runs. The validator evaluates every keyword of a location and its order is not guaranteed, so a
 * 64 KiB string under a 254-character {@code format: email} would still be matched by the email
 * expression (seconds of CPU), and a 4,000-item array under {@code maxItems: 50} would still have
 * each item matched and compared for {@code uniqueItems}. This walk finds every string longer and
 * every array longer than its location declares (directly, through a local {@code $ref}, or an
 * {@code allOf} member: the bounds that always apply) and cuts it to that size in a copy, so the
 * validator only ever sees strings and arrays as large as the schema allows. Cost: one pass over
 * the message, linear in its size; an array's items past its bound are not walked.
 */
final class SizeBounds {

  /**
   * Walks no deeper than this through {@code $ref} and {@code allOf} chains (the parser caps
   * instance depth).
   */
  private static final int MAX_SCHEMA_HOPS = 32;

  private SizeBounds() {}

  /** A value over its bound: {@code maxLength} (in code points) or {@code maxItems}. */
  record Over(String keyword, int bound, int found) {

    boolean isString() {
      return keyword.equals("maxLength");
    }

    /** The finding, as the validator would word it (the value itself is never quoted). */
    Violation violation(String pointer) {
      return isString()
          ? new Violation(pointer, keyword, "must be at most " + bound + " characters long")
          : new Violation(
              pointer, keyword, "must have at most " + bound + " items but found " + found);
    }
  }

  /**
   * Every string and array in {@code instance} larger than its location's bound: pointer (prefixed
   * by {@code at}) to what is over.
   */
  static Map<String, Over> over(JsonNode instance, JsonNode schemaDocument, String at) {
    Map<String, Over> out = new LinkedHashMap<>();
    walk(instance, applicable(schemaDocument, schemaDocument), schemaDocument, at, out);
    return out;
  }

  /**
   * A copy of {@code message} with every string and array at a pointer of {@code over} cut to its
   * bound (strings in code points).
   */
  static JsonNode cut(JsonNode message, Map<String, Over> over) {
    JsonNode copy = message.deepCopy();
    for (Map.Entry<String, Over> b : over.entrySet()) {
      JsonPointer p = JsonPointer.compile(b.getKey());
      int bound = b.getValue().bound();
      if (!b.getValue().isString()) {
        if (copy.at(p) instanceof ArrayNode items) {
          while (items.size() > bound) {
            items.remove(items.size() - 1);
          }
        }
        continue;
      }
      JsonNode parent = copy.at(p.head());
      String text = copy.at(p).asText();
      TextNode cut = TextNode.valueOf(text.substring(0, text.offsetByCodePoints(0, bound)));
      if (parent instanceof ObjectNode o) {
        o.set(p.last().getMatchingProperty(), cut);
      } else if (parent instanceof ArrayNode a) {
        a.set(p.last().getMatchingIndex(), cut);
      }
    }
    return copy;
  }

  private static void walk(
      JsonNode node, List<JsonNode> schemas, JsonNode document, String at, Map<String, Over> out) {
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
      if (bound != Integer.MAX_VALUE && text.length() > bound) {
        int found = text.codePointCount(0, text.length());
        if (found > bound) {
          out.put(at, new Over("maxLength", bound, found));
        }
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
      int bound = Integer.MAX_VALUE;
      for (JsonNode s : schemas) {
        JsonNode item = s.get("items");
        if (item != null && item.isObject()) {
          items.addAll(applicable(item, document));
        }
        JsonNode max = s.get("maxItems");
        if (max != null && max.canConvertToInt() && max.intValue() >= 0) {
          bound = Math.min(bound, max.intValue());
        }
      }
      if (node.size() > bound) {
        out.put(at, new Over("maxItems", bound, node.size()));
      }
      // the items past the bound are cut, unseen by the validator: not walked, not reported
      for (int i = 0; i < Math.min(node.size(), bound); i++) {
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
