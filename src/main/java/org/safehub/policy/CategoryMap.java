package org.safehub.policy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where each leaf of a message sits, and its data category, read from a schema's {@code
 * x-safehub-category} tags by walking {@code properties}, {@code items} and local {@code $ref}s
 * from the root. Conditional restatements ({@code if/then/else/allOf/anyOf/oneOf}) are not read: a
 * location exists only where the schema declares it. Anything a message holds that the map does not
 * know, or that carries no known tag, is {@link #UNTAGGED}.
 */
public final class CategoryMap {

  /** The category of a location without a known tag: the most restricted, allowed to no one. */
  public static final String UNTAGGED = "untagged";

  static final String TAG = "x-safehub-category";

  private final Node root;

  private CategoryMap(Node root) {
    this.root = root;
  }

  /** The map of one schema document (an envelope or a payload schema). */
  public static CategoryMap of(JsonNode schemaDocument) {
    Objects.requireNonNull(schemaDocument, "schemaDocument");
    return new CategoryMap(new Builder(schemaDocument).build(schemaDocument));
  }

  /** Reads a schema file, such as {@code schemas/envelope/v1.schema.json}, and maps it. */
  public static CategoryMap load(Path schemaFile, ObjectMapper mapper) {
    try {
      return of(mapper.readTree(schemaFile.toFile()));
    } catch (IOException e) {
      throw new IllegalStateException(schemaFile + ": not valid JSON", e);
    }
  }

  /**
   * This map with the location {@code property} of the root replaced by {@code inner}'s root: the
   * envelope map with the payload schema's map under {@code payload} is the map of a whole message.
   */
  public CategoryMap with(String property, CategoryMap inner) {
    Node grafted = new Node(root.category);
    grafted.properties.putAll(root.properties);
    grafted.properties.put(property, inner.root);
    grafted.items = root.items;
    return new CategoryMap(grafted);
  }

  /** The root location (the message, or the payload). */
  public Node root() {
    return root;
  }

  /**
   * Every leaf location the schema declares (a location with neither properties nor items), as a
   * pointer pattern with {@code *} for array items, and its category; {@code untagged} marks a gap.
   */
  public Map<String, String> leaves() {
    Map<String, String> out = new TreeMap<>();
    collect(root, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return Collections.unmodifiableMap(out);
  }

  private static void collect(Node node, String at, Map<String, String> out, Set<Node> onPath) {
    if (!onPath.add(node)) {
      return; // a recursive $ref: its leaves are listed where it is first entered
    }
    if (node.properties.isEmpty() && node.items == null) {
      out.put(at, node.category.wire());
    }
    node.properties.forEach(
        (name, child) ->
            collect(child, at + "/" + name.replace("~", "~0").replace("/", "~1"), out, onPath));
    if (node.items != null) {
      collect(node.items, at + "/*", out, onPath);
    }
    onPath.remove(node);
  }

  /** One location in the schema: its category, its named properties, and its array items. */
  public static final class Node {
    private DataCategory category;
    private final Map<String, Node> properties = new LinkedHashMap<>();
    private Node items;

    private Node(DataCategory category) {
      this.category = category;
    }

    /** The location's tag, or {@link DataCategory#UNTAGGED} if it has none or an unknown one. */
    public DataCategory category() {
      return category;
    }

    /**
     * The declared property {@code name} of an object here, or null if the schema does not declare
     * it.
     */
    public Node property(String name) {
      return properties.get(name);
    }

    /** The items of an array here, or null if the schema declares none. */
    public Node items() {
      return items;
    }
  }

  /**
   * Builds the tree once per document; each local {@code $ref} target is built once, so recursion
   * ends.
   */
  private static final class Builder {
    private final JsonNode document;
    private final Map<String, Node> refs = new HashMap<>();

    Builder(JsonNode document) {
      this.document = document;
    }

    Node build(JsonNode schema) {
      Node base = schema.has("$ref") ? ref(schema.get("$ref")) : null;
      JsonNode tag = schema.get(TAG);
      if (base != null && tag == null && !schema.has("properties") && !schema.has("items")) {
        return base;
      }
      Node node =
          new Node(
              tag != null ? category(tag) : base != null ? base.category : DataCategory.UNTAGGED);
      if (base != null) {
        node.properties.putAll(base.properties);
        node.items = base.items;
      }
      JsonNode properties = schema.get("properties");
      if (properties != null && properties.isObject()) {
        properties
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getValue().isObject()) {
                    node.properties.put(e.getKey(), build(e.getValue()));
                  }
                });
      }
      JsonNode items = schema.get("items");
      if (items != null && items.isObject()) {
        node.items = build(items);
      }
      return node;
    }

    private Node ref(JsonNode ref) {
      String target = ref.isTextual() ? ref.asText() : "";
      if (!target.startsWith("#/")) {
        return new Node(
            DataCategory.UNTAGGED); // only local references are followed; anything else is unknown
      }
      Node known = refs.get(target);
      if (known != null) {
        return known;
      }
      Node placeholder = new Node(DataCategory.UNTAGGED);
      refs.put(target, placeholder);
      JsonNode schema;
      try {
        schema = document.at(JsonPointer.compile(target.substring(1)));
      } catch (IllegalArgumentException e) {
        return placeholder;
      }
      if (schema.isObject()) {
        Node built = build(schema);
        placeholder.category = built.category;
        placeholder.properties.putAll(built.properties);
        placeholder.items = built.items;
      }
      return placeholder;
    }

    private static DataCategory category(JsonNode tag) {
      return tag.isTextual()
          ? DataCategory.ofKnown(tag.asText()).orElse(DataCategory.UNTAGGED)
          : DataCategory.UNTAGGED;
    }
  }
}
