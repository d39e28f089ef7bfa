package org.safehub.policy;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The safety guard had to remove data from a copy for a perpetrator programme: the policy or the
 * redaction failed somewhere. Names the message, the recipient agency and the categories, never a
 * value.
 */
public record GuardAlert(UUID messageId, String recipient, List<String> categories) {
  public GuardAlert {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(recipient, "recipient");
    categories = List.copyOf(categories);
    if (categories.isEmpty()) {
      throw new IllegalArgumentException("an alert names at least one category");
    }
  }
}
