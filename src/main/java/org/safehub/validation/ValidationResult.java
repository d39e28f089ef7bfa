package org.safehub.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.safehub.problem.Violation;

/**
 * The outcome of validating a message: valid (with its schema) or invalid with every violation
 * found.
 */
public sealed interface ValidationResult {

  /** The message conforms to the envelope and to its type's schema. */
  record Valid(JsonNode message, MessageSchema schema) implements ValidationResult {}

  /** The message does not conform; {@code violations} lists every fault with its pointer. */
  record Invalid(ProblemKind kind, List<Violation> violations) implements ValidationResult {
    public Invalid {
      violations = List.copyOf(violations);
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs at least one violation");
      }
    }
  }

  /** Why a message was refused, coarse enough for metrics and the problem type. */
  enum ProblemKind {
    MALFORMED_JSON("malformed-json", "Malformed JSON"),
    LIMIT_EXCEEDED("limit-exceeded", "Message exceeds a size limit"),
    UNKNOWN_TYPE("unknown-type", "Unknown message type or version"),
    SCHEMA_VIOLATION("schema-violation", "Message does not match its schema");

    private final String code;
    private final String title;

    ProblemKind(String code, String title) {
      this.code = code;
      this.title = title;
    }

    public String code() {
      return code;
    }

    public String title() {
      return title;
    }
  }
}
