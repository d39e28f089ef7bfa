package org.safehub.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.safehub.config.SafehubConfig;
import org.safehub.problem.Violation;

/**
 * The JSON Schemas the hub validates against, loaded once from the schemas folder: the envelope,
 * and one payload schema per message type and version ({@code <type>/v<N>.schema.json}). A new
 * message type is a new folder here and no code.
 */
@Singleton
public final class SchemaCatalogue {

  private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,3})\\.schema\\.json");

  private final Schema envelope;
  private final JsonNode envelopeDocument;
  private final Map<String, Map<Integer, MessageSchema>> byType;

  private SchemaCatalogue(
      Schema envelope, JsonNode envelopeDocument, Map<String, Map<Integer, MessageSchema>> byType) {
    this.envelope = envelope;
    this.envelopeDocument = envelopeDocument;
    this.byType = byType;
  }

  /** The schemas under {@code safehub.schemas-dir}, loaded at start-up. */
  @Inject
  public SchemaCatalogue(SafehubConfig config, StrictJson json) {
    this(load(config.schemasDir(), json.mapper()));
  }

  private SchemaCatalogue(SchemaCatalogue loaded) {
    this(loaded.envelope, loaded.envelopeDocument, loaded.byType);
  }

  /** Loads every schema under {@code dir}; a missing or unreadable schema stops start-up. */
  public static SchemaCatalogue load(Path dir, ObjectMapper mapper) {
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            b ->
                b.schemaRegistryConfig(
                    SchemaRegistryConfig.builder()
                        .formatAssertionsEnabled(true)
                        .pathType(PathType.JSON_POINTER)
                        .build()));
    Path envelopeFile = dir.resolve("envelope").resolve("v1.schema.json");
    if (!Files.isRegularFile(envelopeFile)) {
      throw new IllegalStateException(envelopeFile + ": the envelope schema is missing");
    }
    JsonNode envelopeDocument = read(envelopeFile, mapper);
    Schema envelope = registry.getSchema(envelopeDocument);
    Map<String, Map<Integer, MessageSchema>> byType = new TreeMap<>();
    try (Stream<Path> folders = Files.list(dir)) {
      for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
        String type = folder.getFileName().toString();
        if (type.equals("envelope")) {
          continue;
        }
        try (Stream<Path> files = Files.list(folder)) {
          for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
            Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
            if (!m.matches()) {
              continue;
            }
            int version = Integer.parseInt(m.group(1));
            JsonNode doc = read(file, mapper);
            Schema compiled;
            try {
              compiled = registry.getSchema(doc);
            } catch (RuntimeException e) {
              throw new IllegalStateException(
                  file + ": not a usable JSON Schema: " + e.getMessage(), e);
            }
            byType
                .computeIfAbsent(type, t -> new TreeMap<>())
                .put(version, new MessageSchema(type, version, compiled, doc));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schemas folder " + dir, e);
    }
    if (byType.isEmpty()) {
      throw new IllegalStateException(dir + ": no message type schemas found");
    }
    return new SchemaCatalogue(envelope, envelopeDocument, Collections.unmodifiableMap(byType));
  }

  private static JsonNode read(Path file, ObjectMapper mapper) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The envelope schema document (its category tags drive redaction of envelope fields). */
  public JsonNode envelopeDocument() {
    return envelopeDocument;
  }

  /** The message types this catalogue knows. */
  public java.util.Set<String> types() {
    return byType.keySet();
  }

  /** The payload schema of a type and version, if known. */
  public java.util.Optional<MessageSchema> schema(String type, int version) {
    Map<Integer, MessageSchema> versions = byType.get(type);
    return versions == null
        ? java.util.Optional.empty()
        : java.util.Optional.ofNullable(versions.get(version));
  }

  /**
   * Validates a parsed message: the envelope first, then its payload against the type's schema.
   * Every string's {@code maxLength} and every array's {@code maxItems} are checked first, over the
   * whole message: an over-long string or array is reported as such and cut to its bound before the
   * validator (and its {@code format}, {@code pattern} and {@code uniqueItems}) sees it, so no
   * input costs more than its allowed size.
   */
  public ValidationResult validate(JsonNode message) {
    if (!message.isObject()) {
      return new ValidationResult.Invalid(
          ValidationResult.ProblemKind.SCHEMA_VIOLATION,
          List.of(new Violation("", "type", "A message must be a JSON object.")));
    }
    Map<String, SizeBounds.Over> over =
        new LinkedHashMap<>(SizeBounds.over(message, envelopeDocument, ""));
    MessageSchema known = knownSchema(message);
    JsonNode originalPayload = message.get("payload");
    if (known != null && originalPayload != null && originalPayload.isObject()) {
      over.putAll(SizeBounds.over(originalPayload, known.document(), "/payload"));
    }
    JsonNode checked = over.isEmpty() ? message : SizeBounds.cut(message, over);
    List<Violation> violations = new ArrayList<>();
    over.forEach((pointer, o) -> violations.add(o.violation(pointer)));
    violations.addAll(outside(over, toViolations(envelope.validate(checked), "")));
    JsonNode typeNode = checked.get("type");
    JsonNode versionNode = checked.get("schemaVersion");
    if (typeNode == null
        || !typeNode.isTextual()
        || versionNode == null
        || !versionNode.canConvertToExactIntegral()) {
      // the envelope schema has already reported what is missing or mistyped
      return new ValidationResult.Invalid(
          ValidationResult.ProblemKind.SCHEMA_VIOLATION, violations);
    }
    Map<Integer, MessageSchema> versions = byType.get(typeNode.asText());
    if (versions == null) {
      violations.add(new Violation("/type", "unknown-type", "Unknown message type."));
      return new ValidationResult.Invalid(ValidationResult.ProblemKind.UNKNOWN_TYPE, violations);
    }
    MessageSchema schema =
        versionNode.canConvertToInt() ? versions.get(versionNode.intValue()) : null;
    if (schema == null) {
      violations.add(
          new Violation(
              "/schemaVersion",
              "unknown-version",
              "Unknown schema version for this message type; known: " + versions.keySet() + "."));
      return new ValidationResult.Invalid(ValidationResult.ProblemKind.UNKNOWN_TYPE, violations);
    }
    JsonNode payload = checked.get("payload");
    if (payload != null && payload.isObject()) {
      violations.addAll(
          outside(over, toViolations(schema.compiled().validate(payload), "/payload")));
    }
    if (!violations.isEmpty()) {
      return new ValidationResult.Invalid(
          ValidationResult.ProblemKind.SCHEMA_VIOLATION, violations);
    }
    return new ValidationResult.Valid(message, schema);
  }

  /**
   * The payload schema the message names, if its type and version are both known (before any
   * validation).
   */
  private MessageSchema knownSchema(JsonNode message) {
    JsonNode typeNode = message.get("type");
    JsonNode versionNode = message.get("schemaVersion");
    if (typeNode == null
        || !typeNode.isTextual()
        || versionNode == null
        || !versionNode.canConvertToInt()) {
      return null;
    }
    Map<Integer, MessageSchema> versions = byType.get(typeNode.asText());
    return versions == null ? null : versions.get(versionNode.intValue());
  }

  /**
   * The validator's findings, less those about a string it saw cut short (reported as too long
   * instead). An array cut to its bound keeps its other findings (its first items' faults, or
   * {@code uniqueItems} among them).
   */
  private static List<Violation> outside(Map<String, SizeBounds.Over> cut, List<Violation> found) {
    if (cut.isEmpty()) {
      return found;
    }
    return found.stream()
        .filter(v -> !(cut.containsKey(v.pointer()) && cut.get(v.pointer()).isString()))
        .toList();
  }

  private static List<Violation> toViolations(List<Error> errors, String prefix) {
    List<Violation> out = new ArrayList<>(errors.size());
    for (Error e : errors) {
      String location = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
      if (location.equals("/")) {
        location = "";
      }
      out.add(new Violation(prefix + location, String.valueOf(e.getKeyword()), safeMessage(e)));
    }
    return out;
  }

  // The library's messages start with the instance location and may quote constants from the
  // schema;
  // they do not echo instance values for the keywords our schemas use, but strip the location
  // prefix.
  private static String safeMessage(Error e) {
    String keyword = String.valueOf(e.getKeyword());
    if (keyword.equals("additionalProperties")
        || keyword.equals("unevaluatedProperties")
        || keyword.equals("propertyNames")) {
      // the property name is the sender's text, and may itself be personal data
      return "a property that this schema does not define is present";
    }
    String m = String.valueOf(e.getMessage());
    int colon = m.indexOf(": ");
    if (colon > 0 && (m.startsWith("/") || m.startsWith("$") || m.startsWith(":"))) {
      m = m.substring(colon + 2);
    }
    return m;
  }
}
