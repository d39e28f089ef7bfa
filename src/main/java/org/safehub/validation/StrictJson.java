package org.safehub.validation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;

/**
 * Parses untrusted JSON with hard limits: duplicate keys, trailing content, deep nesting, long strings
 * and long numbers are errors, never silently accepted. Errors name the position, not the content.
 */
public final class StrictJson {

  private final ObjectMapper mapper;

  public StrictJson(int maxNestingDepth, int maxStringLength, int maxNumberLength, int maxDocumentBytes) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxNestingDepth)
                    .maxStringLength(maxStringLength)
                    .maxNumberLength(maxNumberLength)
                    .maxNameLength(256)
                    .maxDocumentLength(maxDocumentBytes)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
  }

  /** Parses one JSON document; the result is either the tree or an {@link ValidationResult.Invalid}. */
  public Parsed parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new Parsed.Failed(invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", "empty", "The body is empty."));
    }
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || node.isMissingNode()) {
        return new Parsed.Failed(invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", "empty", "The body holds no JSON document."));
      }
      return new Parsed.Ok(node);
    } catch (StreamConstraintsException e) {
      return new Parsed.Failed(invalid(ValidationResult.ProblemKind.LIMIT_EXCEEDED, "", "limit", describeLimit(e)));
    } catch (JsonProcessingException e) {
      String message = describe(e);
      String keyword = message.startsWith("Duplicate") ? "duplicate-key" : "syntax";
      return new Parsed.Failed(invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", keyword, message));
    } catch (IOException e) {
      // e.g. CharConversionException for broken UTF-8
      return new Parsed.Failed(invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", "encoding", "The body is not valid UTF-8 JSON."));
    }
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  private static ValidationResult.Invalid invalid(ValidationResult.ProblemKind kind, String pointer, String keyword, String message) {
    return new ValidationResult.Invalid(kind, List.of(new Violation(pointer, keyword, message)));
  }

  private static String describeLimit(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return "Objects and arrays are nested deeper than allowed.";
    } else if (m.contains("String value length")) {
      return "A string is longer than allowed.";
    } else if (m.contains("Number value length")) {
      return "A number has more digits than allowed.";
    } else if (m.contains("Name length")) {
      return "A property name is longer than allowed.";
    } else if (m.contains("Document length")) {
      return "The document is larger than allowed.";
    }
    return "The document exceeds a parser limit.";
  }

  // Jackson's messages quote fragments of the input; keep only the kind of fault and its position.
  private static String describe(JsonProcessingException e) {
    String original = String.valueOf(e.getOriginalMessage());
    String kind;
    if (original.startsWith("Duplicate field")) {
      kind = "Duplicate property name";
    } else if (original.contains("Invalid UTF-8") || original.contains("Invalid UTF")) {
      kind = "Invalid UTF-8";
    } else if (original.contains("end-of-input") || original.contains("Unexpected end")) {
      kind = "Unexpected end of input";
    } else if (original.contains("Trailing token")) {
      kind = "Trailing content after the JSON document";
    } else if (original.contains("Unrecognized token") || original.contains("Unexpected character")) {
      kind = "Unexpected character";
    } else if (original.contains("control character") || original.contains("CTRL-CHAR")) {
      kind = "Unescaped control character";
    } else if (original.contains("Leading zeroes") || original.contains("Non-standard") || original.contains("NaN")) {
      kind = "Non-standard number";
    } else {
      kind = "Syntax error";
    }
    JsonLocation loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      return kind + " at line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ".";
    }
    return kind + ".";
  }

  /** The result of parsing. */
  public sealed interface Parsed {
    record Ok(JsonNode node) implements Parsed {}

    record Failed(ValidationResult.Invalid invalid) implements Parsed {}
  }

}
