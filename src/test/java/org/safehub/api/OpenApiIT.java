package org.safehub.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document describes the body of every response the README's HTTP API table documents.
 */
@QuarkusTest
class OpenApiIT {

  private static final Pattern ENDPOINT =
      Pattern.compile("`(?:(GET|POST|PUT|DELETE) )?(/api/[^`?]*|…/[^`?]*)[^`]*`");

  private record Endpoint(String method, String path) {}

  @Test
  void everyResponseInTheReadmesApiTableHasATypedSchema() throws IOException {
    // Given the endpoints the README documents
    List<Endpoint> endpoints = readmeEndpoints();
    assertEquals(
        28, endpoints.size(), "endpoints read from the README's HTTP API table: " + endpoints);
    // When the hub describes its API
    JsonNode doc =
        new ObjectMapper()
            .readTree(
                given()
                    .accept("application/json")
                    .get("/openapi?format=json")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
    // Then every documented endpoint has a success response whose every body has a schema that says
    // what it holds
    List<String> problems = new ArrayList<>();
    for (Endpoint e : endpoints) {
      JsonNode operation = operation(doc, e);
      if (operation == null) {
        problems.add(e + ": not in /openapi");
        continue;
      }
      int successes = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = operation.path("responses").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> response = it.next();
        if (!response.getKey().startsWith("2")) {
          continue;
        }
        successes++;
        JsonNode content = response.getValue().path("content");
        if (content.isEmpty()) {
          problems.add(e + " " + response.getKey() + ": no body described");
        }
        content
            .fields()
            .forEachRemaining(
                media -> {
                  String why = untyped(doc, media.getValue().path("schema"), 0);
                  if (why != null) {
                    problems.add(e + " " + response.getKey() + " " + media.getKey() + ": " + why);
                  }
                });
      }
      if (successes == 0) {
        problems.add(e + ": no success response");
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /**
   * Why a schema does not say what a body holds, or null if it does: a named record, a list of
   * them, or text.
   */
  private static String untyped(JsonNode doc, JsonNode schema, int depth) {
    if (schema.isMissingNode() || schema.isEmpty()) {
      return "no schema";
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      JsonNode target =
          doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
      if (target.isMissingNode()) {
        return "dangling " + ref;
      }
      if (ref.endsWith("/JsonNode") || ref.endsWith("/JsonValue")) {
        return "any JSON (" + ref + ")";
      }
      return depth > 3 ? null : untyped(doc, target, depth + 1);
    }
    String type = schema.path("type").asText("");
    return switch (type) {
      case "array" -> untyped(doc, schema.path("items"), depth + 1);
      case "object" -> schema.path("properties").isEmpty() ? "an untyped object" : null;
      case "string" -> null;
      default -> "type '" + type + "'";
    };
  }

  private static JsonNode operation(JsonNode doc, Endpoint e) {
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      if (shape(path.getKey()).equals(shape(e.path()))) {
        JsonNode op = path.getValue().get(e.method().toLowerCase(Locale.ROOT));
        if (op != null) {
          return op;
        }
      }
    }
    return null;
  }

  private static String shape(String path) {
    return path.replaceAll("\\{[^}]*}", "{}").replaceAll("/$", "");
  }

  /**
   * Each method and path in the README's HTTP API table; {@code …/x} is the previous path's sibling
   * x.
   */
  private static List<Endpoint> readmeEndpoints() throws IOException {
    List<Endpoint> out = new ArrayList<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      if (line.startsWith("## ")) {
        inSection = line.equals("## HTTP API");
        continue;
      }
      if (!inSection || !line.startsWith("| `")) {
        continue;
      }
      String cell = line.substring(1, line.indexOf('|', 1));
      Matcher m = ENDPOINT.matcher(cell);
      while (m.find()) {
        String path = m.group(2);
        String method = m.group(1);
        if (path.startsWith("…/")) {
          Endpoint previous = out.get(out.size() - 1);
          path = previous.path().substring(0, previous.path().lastIndexOf('/')) + path.substring(1);
          method = method == null ? previous.method() : method;
        }
        out.add(new Endpoint(method, path));
      }
    }
    return out;
  }
}
