package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generates messages by walking the real schemas: each object gets its required properties and a
 * random subset of the others, values of the declared kind (enum members, unicode strings, numbers
 * in and out of range), now and then a value of the wrong shape, and now and then properties no
 * schema declares. Not schema-valid in every detail on purpose: redaction must be safe on any
 * shape.
 */
final class MessageArbitraries {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 8;

  private MessageArbitraries() {}

  /**
   * A whole message of {@code type}: a generated envelope with {@code type}, version 1 and a
   * generated payload.
   */
  static Arbitrary<JsonNode> message(String type) {
    JsonNode payloadDoc = Fixtures.payloadSchema(type);
    Arbitrary<JsonNode> envelope = object(Fixtures.ENVELOPE_SCHEMA, Fixtures.ENVELOPE_SCHEMA, 0);
    Arbitrary<JsonNode> payload =
        Arbitraries.frequencyOf(
            Tuple.of(40, object(payloadDoc, payloadDoc, 0)), Tuple.of(1, anyJson(2)));
    return Combinators.combine(envelope, payload)
        .as(
            (env, p) -> {
              ObjectNode m = F.objectNode();
              m.setAll((ObjectNode) env);
              m.put("type", type);
              m.put("schemaVersion", 1);
              m.set("payload", p);
              return (JsonNode) m;
            });
  }

  private static Arbitrary<JsonNode> value(JsonNode schema, JsonNode doc, int depth) {
    JsonNode s = resolve(schema, doc);
    if (depth > MAX_DEPTH) {
      return anyScalar();
    }
    return Arbitraries.frequencyOf(Tuple.of(80, proper(s, doc, depth)), Tuple.of(1, anyJson(2)));
  }

  private static Arbitrary<JsonNode> proper(JsonNode s, JsonNode doc, int depth) {
    if (s.has("enum") && s.get("enum").isArray() && !s.get("enum").isEmpty()) {
      List<JsonNode> members = new ArrayList<>();
      s.get("enum").forEach(members::add);
      return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(members)), Tuple.of(1, text()));
    }
    String type =
        s.path("type").isTextual() ? s.path("type").asText() : s.has("properties") ? "object" : "";
    return switch (type) {
      case "object" -> object(s, doc, depth);
      case "array" -> {
        JsonNode items = s.path("items").isObject() ? s.get("items") : F.objectNode();
        yield value(items, doc, depth + 1)
            .list()
            .ofMaxSize(4)
            .map(
                list -> {
                  ArrayNode a = F.arrayNode();
                  list.forEach(a::add);
                  return (JsonNode) a;
                });
      }
      case "string" -> text();
      case "integer" ->
          Arbitraries.frequencyOf(
              Tuple.of(
                  5,
                  Arbitraries.integers().between(-3, 120).map(i -> (JsonNode) IntNode.valueOf(i))),
              Tuple.of(1, Arbitraries.longs().map(l -> (JsonNode) LongNode.valueOf(l))));
      case "number" -> Arbitraries.doubles().map(d -> (JsonNode) DoubleNode.valueOf(d));
      case "boolean" -> Arbitraries.of(true, false).map(b -> (JsonNode) BooleanNode.valueOf(b));
      default -> anyJson(2);
    };
  }

  /**
   * An object with the schema's required properties, a random subset of the others, and sometimes
   * undeclared ones.
   */
  private static Arbitrary<JsonNode> object(JsonNode s, JsonNode doc, int depth) {
    Set<String> required = new HashSet<>();
    s.path("required").forEach(r -> required.add(r.asText()));
    List<Arbitrary<Optional<Map.Entry<String, JsonNode>>>> fields = new ArrayList<>();
    s.path("properties")
        .fields()
        .forEachRemaining(
            p -> {
              String name = p.getKey();
              Arbitrary<Optional<Map.Entry<String, JsonNode>>> present =
                  value(p.getValue(), doc, depth + 1).map(v -> Optional.of(Map.entry(name, v)));
              fields.add(
                  required.contains(name)
                      ? present
                      : Arbitraries.frequencyOf(
                          Tuple.of(3, present), Tuple.of(1, Arbitraries.just(Optional.empty()))));
            });
    Arbitrary<List<Optional<Map.Entry<String, JsonNode>>>> declared =
        fields.isEmpty()
            ? Arbitraries.just(List.of())
            : Combinators.combine(fields).as(list -> list);
    Arbitrary<Map<String, JsonNode>> extra =
        Arbitraries.frequencyOf(
            Tuple.of(25, Arbitraries.just(Map.of())),
            Tuple.of(1, Arbitraries.maps(key(), anyJson(2)).ofMinSize(1).ofMaxSize(2)));
    return Combinators.combine(declared, extra)
        .as(
            (d, x) -> {
              ObjectNode o = F.objectNode();
              d.forEach(e -> e.ifPresent(f -> o.set(f.getKey(), f.getValue())));
              x.forEach(
                  (k, v) -> {
                    if (!o.has(k)) {
                      o.set(k, v);
                    }
                  });
              return (JsonNode) o;
            });
  }

  private static Arbitrary<String> key() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10)),
        Tuple.of(
            1,
            Arbitraries.of(
                "victimAddress",
                "address",
                "note",
                "school",
                "phone",
                "payload",
                "*",
                "0",
                "a/b",
                "~1",
                "")),
        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)));
  }

  private static Arbitrary<JsonNode> text() {
    return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40)),
            Tuple.of(2, Arbitraries.strings().all().ofMaxLength(20)),
            Tuple.of(
                1,
                Arbitraries.of(
                    "Flat 2, 1 Example Street", "ZZ1 1ZZ", "07700 900123", "Ŝàƒé ĥøüšé 🏠", "")))
        .map(t -> (JsonNode) TextNode.valueOf(t));
  }

  private static Arbitrary<JsonNode> anyScalar() {
    return Arbitraries.oneOf(
        text(),
        Arbitraries.integers().map(i -> (JsonNode) IntNode.valueOf(i)),
        Arbitraries.doubles().map(d -> (JsonNode) DoubleNode.valueOf(d)),
        Arbitraries.of(true, false).map(b -> (JsonNode) BooleanNode.valueOf(b)),
        Arbitraries.just((JsonNode) NullNode.getInstance()));
  }

  /** Any JSON value up to {@code depth} levels of nesting, empty containers included. */
  static Arbitrary<JsonNode> anyJson(int depth) {
    if (depth == 0) {
      return anyScalar();
    }
    Arbitrary<JsonNode> objects =
        Arbitraries.maps(key(), anyJson(depth - 1))
            .ofMaxSize(3)
            .map(
                m -> {
                  ObjectNode o = F.objectNode();
                  m.forEach(o::set);
                  return (JsonNode) o;
                });
    Arbitrary<JsonNode> arrays =
        anyJson(depth - 1)
            .list()
            .ofMaxSize(3)
            .map(
                l -> {
                  ArrayNode a = F.arrayNode();
                  l.forEach(a::add);
                  return (JsonNode) a;
                });
    return Arbitraries.frequencyOf(
        Tuple.of(4, anyScalar()), Tuple.of(1, objects), Tuple.of(1, arrays));
  }

  private static JsonNode resolve(JsonNode schema, JsonNode doc) {
    JsonNode s = schema;
    for (int hops = 0; s.has("$ref") && hops < 16; hops++) {
      String ref = s.get("$ref").asText();
      JsonNode target = ref.startsWith("#/") ? doc.at(ref.substring(1)) : null;
      if (target == null || !target.isObject()) {
        return F.objectNode();
      }
      s = target;
    }
    return s;
  }
}
