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
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.safehub.config.SafehubConfig;
import org.safehub.problem.Violation;

/**
 * Parses untrusted JSON with hard limits: duplicate keys, trailing content, deep nesting, long
 * strings and long numbers are errors, never silently accepted. Errors name the position, not the
 * content.
 */
@Singleton
public final class StrictJson {

  /** The hub's own reading and writing (records, schemas): the limits, less the token cap. */
  private final ObjectMapper mapper;

  /**
   * A request body: the limits and the token cap, which bounds the parse of a body made of tiny
   * values.
   */
  private final ObjectMapper untrusted;

  /** With the limits of {@code safehub.ingress.*}. */
  @Inject
  public StrictJson(SafehubConfig config) {
    this(
        config.ingress().maxNestingDepth(),
        config.ingress().maxStringLength(),
        config.ingress().maxNumberLength(),
        config.ingress().maxBodyBytes(),
        config.ingress().maxTokens());
  }

  public StrictJson(
      int maxNestingDepth,
      int maxStringLength,
      int maxNumberLength,
      int maxDocumentBytes,
      int maxTokens) {
    this.mapper =
        mapper(constraints(maxNestingDepth, maxStringLength, maxNumberLength, maxDocumentBytes));
    this.untrusted =
        mapper(
            constraints(maxNestingDepth, maxStringLength, maxNumberLength, maxDocumentBytes)
                .maxTokenCount(maxTokens));
  }

  private static StreamReadConstraints.Builder constraints(
      int maxNestingDepth, int maxStringLength, int maxNumberLength, int maxDocumentBytes) {
    return StreamReadConstraints.builder()
        .maxNestingDepth(maxNestingDepth)
        .maxStringLength(maxStringLength)
        .maxNumberLength(maxNumberLength)
        .maxNameLength(256)
        .maxDocumentLength(maxDocumentBytes);
  }

  private static ObjectMapper mapper(StreamReadConstraints.Builder constraints) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints.build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
  }

  /**
   * Parses one JSON document; the result is either the tree or an {@link ValidationResult.Invalid}.
   */
  public Parsed parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new Parsed.Failed(
          invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", "empty", "The body is empty."));
    }
    String text;
    try {
      // RFC 8259: JSON between systems is UTF-8. A strict decoder refuses overlong forms, encoded
      // surrogates and code points above U+10FFFF, and stops the parser guessing UTF-16 or UTF-32.
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      return new Parsed.Failed(
          invalid(
              ValidationResult.ProblemKind.MALFORMED_JSON,
              "",
              "encoding",
              "The body is not valid UTF-8."));
    }
    try {
      JsonNode node = untrusted.readTree(text);
      if (node == null || node.isMissingNode()) {
        return new Parsed.Failed(
            invalid(
                ValidationResult.ProblemKind.MALFORMED_JSON,
                "",
                "empty",
                "The body holds no JSON document."));
      }
      String bad = firstUnpairedSurrogate(node, "");
      if (bad != null) {
        return new Parsed.Failed(
            invalid(
                ValidationResult.ProblemKind.MALFORMED_JSON,
                bad,
                "encoding",
                "A string holds an unpaired surrogate (not valid Unicode text)."));
      }
      return new Parsed.Ok(node);
    } catch (StreamConstraintsException e) {
      return new Parsed.Failed(
          invalid(ValidationResult.ProblemKind.LIMIT_EXCEEDED, "", "limit", describeLimit(e)));
    } catch (JsonProcessingException e) {
      String message = describe(e);
      String keyword = message.startsWith("Duplicate") ? "duplicate-key" : "syntax";
      return new Parsed.Failed(
          invalid(ValidationResult.ProblemKind.MALFORMED_JSON, "", keyword, message));
    } catch (RuntimeException e) {
      // e.g. NumberFormatException for an exponent beyond any number type
      return new Parsed.Failed(
          invalid(
              ValidationResult.ProblemKind.LIMIT_EXCEEDED,
              "",
              "limit",
              "A value is beyond what the hub accepts."));
    }
  }

  /**
   * The JSON pointer of the first string (value or name) with an unpaired UTF-16 surrogate, or
   * null.
   */
  private static String firstUnpairedSurrogate(JsonNode node, String pointer) {
    if (node.isTextual()) {
      return wellFormed(node.textValue()) ? null : pointer;
    }
    if (node.isObject()) {
      for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields();
          it.hasNext(); ) {
        java.util.Map.Entry<String, JsonNode> e = it.next();
        String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        if (!wellFormed(e.getKey())) {
          return pointer;
        }
        String bad = firstUnpairedSurrogate(e.getValue(), child);
        if (bad != null) {
          return bad;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String bad = firstUnpairedSurrogate(node.get(i), pointer + "/" + i);
        if (bad != null) {
          return bad;
        }
      }
    }
    return null;
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  private static ValidationResult.Invalid invalid(
      ValidationResult.ProblemKind kind, String pointer, String keyword, String message) {
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
    } else if (m.contains("Token count")) {
      return "The document holds more values than allowed.";
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
    } else if (original.contains("Unrecognized token")
        || original.contains("Unexpected character")) {
      kind = "Unexpected character";
    } else if (original.contains("control character") || original.contains("CTRL-CHAR")) {
      kind = "Unescaped control character";
    } else if (original.contains("Leading zeroes")
        || original.contains("Non-standard")
        || original.contains("NaN")) {
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
