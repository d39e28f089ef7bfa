package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Removes from a message every leaf whose category is not allowed, building a new tree (the input
 * is never changed). A leaf is a scalar or an empty object or array; its category comes from the
 * {@link CategoryMap}, and a location the map does not know is {@code untagged}. Redaction only
 * ever removes, and never moves what it keeps:
 *
 * <ul>
 *   <li>an object or array left empty by redaction is removed too, since an empty {@code victim:
 *       {}} still says a victim block existed;
 *   <li>an array that loses any element is removed whole, so that every kept value stays at its
 *       original index (a disallowed array of scalars goes as one).
 * </ul>
 */
public final class Redactor {

  private Redactor() {}

  /**
   * A redacted view and the sorted names of the categories that were removed from it (never
   * values).
   */
  public record Redaction(JsonNode view, List<String> removedCategories) {
    public Redaction {
      Objects.requireNonNull(view, "view");
      removedCategories = List.copyOf(removedCategories);
    }
  }

  /**
   * The view with every leaf outside {@code allowed} removed; {@code untagged} is removed whatever
   * {@code allowed} says.
   */
  public static Redaction redact(JsonNode view, CategoryMap map, Set<DataCategory> allowed) {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(allowed, "allowed");
    SortedSet<String> removed = new TreeSet<>();
    JsonNode kept = keep(view, map.root(), allowed, removed);
    return new Redaction(
        kept == null ? JsonNodeFactory.instance.objectNode() : kept, List.copyOf(removed));
  }

  /**
   * The redacted copy of {@code node}, or null if nothing of it may be kept; adds what it drops to
   * {@code removed}.
   */
  private static JsonNode keep(
      JsonNode node, CategoryMap.Node shape, Set<DataCategory> allowed, Set<String> removed) {
    if (isLeaf(node)) {
      DataCategory category = shape == null ? DataCategory.UNTAGGED : shape.category();
      if (category != DataCategory.UNTAGGED && allowed.contains(category)) {
        return node.deepCopy();
      }
      removed.add(category.wire());
      return null;
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child =
            keep(
                field.getValue(),
                shape == null ? null : shape.property(field.getKey()),
                allowed,
                removed);
        if (child != null) {
          out.set(field.getKey(), child);
        }
      }
      return out.isEmpty() ? null : out;
    }
    // an array: kept only with every element (each possibly redacted inside), or not at all
    CategoryMap.Node items = shape == null ? null : shape.items();
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    SortedSet<String> fromElements = new TreeSet<>();
    for (JsonNode element : node) {
      JsonNode child = keep(element, items, allowed, fromElements);
      if (child == null) {
        categoriesOf(node, shape, removed);
        return null;
      }
      out.add(child);
    }
    removed.addAll(fromElements);
    return out;
  }

  /** Adds the category of every leaf under {@code node} to {@code out}. */
  private static void categoriesOf(JsonNode node, CategoryMap.Node shape, Set<String> out) {
    if (isLeaf(node)) {
      out.add((shape == null ? DataCategory.UNTAGGED : shape.category()).wire());
    } else if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              f ->
                  categoriesOf(
                      f.getValue(), shape == null ? null : shape.property(f.getKey()), out));
    } else {
      CategoryMap.Node items = shape == null ? null : shape.items();
      node.forEach(element -> categoriesOf(element, items, out));
    }
  }

  /** A scalar, or an object or array with nothing in it: what a category applies to. */
  private static boolean isLeaf(JsonNode node) {
    return !node.isContainerNode() || node.isEmpty();
  }
}
