package org.safehub.problem;

import java.util.Objects;

/**
 * One reason a message was refused: where (a JSON pointer into the message), what rule, and a
 * message that names the rule, never the offending value (values may be personal data).
 */
public record Violation(String pointer, String keyword, String message) {
  public Violation {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(keyword, "keyword");
    Objects.requireNonNull(message, "message");
  }
}
