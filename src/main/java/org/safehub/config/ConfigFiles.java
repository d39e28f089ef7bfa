package org.safehub.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads an operator's YAML configuration file and checks it against its JSON Schema (kept on the
 * classpath under config-schemas/), so that a broken file stops start-up with a precise fault.
 */
public final class ConfigFiles {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          b ->
              b.schemaRegistryConfig(
                  SchemaRegistryConfig.builder()
                      .formatAssertionsEnabled(true)
                      .pathType(PathType.JSON_POINTER)
                      .build()));

  private ConfigFiles() {}

  /**
   * Reads {@code file} and validates it against {@code config-schemas/<schemaName>.schema.json}.
   */
  public static JsonNode read(Path file, String schemaName) {
    if (!Files.isRegularFile(file)) {
      throw new DeployConfigException(file.toString(), "file not found");
    }
    JsonNode node;
    try {
      node = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new DeployConfigException(
          file.toString(),
          "not valid YAML ("
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getClass().getSimpleName())
              + ")");
    } catch (RuntimeException e) {
      throw new DeployConfigException(file.toString(), "not valid YAML");
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      throw new DeployConfigException(file.toString(), "the file is empty");
    }
    List<Error> errors = schema(schemaName).validate(node);
    if (!errors.isEmpty()) {
      String faults =
          errors.stream()
              .map(
                  e ->
                      (e.getInstanceLocation().toString().isEmpty()
                              ? "/"
                              : e.getInstanceLocation().toString())
                          + " "
                          + stripLocation(e.getMessage()))
              .collect(Collectors.joining("; "));
      throw new DeployConfigException(file.toString(), faults);
    }
    return node;
  }

  private static String stripLocation(String message) {
    int colon = message.indexOf(": ");
    return colon > 0 && (message.startsWith("/") || message.startsWith("$"))
        ? message.substring(colon + 2)
        : message;
  }

  private static Schema schema(String name) {
    String resource = "/config-schemas/" + name + ".schema.json";
    try (InputStream in = ConfigFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing " + resource);
      }
      return REGISTRY.getSchema(YAML.readTree(in));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
