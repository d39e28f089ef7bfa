package org.safehub.deadlines;

import java.util.Objects;
import java.util.Optional;

/**
 * A deadline for copies of one message type and/or to one recipient agency type (an empty one
 * matches any), which applies when earlier than the priority's.
 */
public record DeadlineOverride(
    Optional<String> type, Optional<String> recipientAgencyType, AcknowledgeWithin within) {

  public DeadlineOverride {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(recipientAgencyType, "recipientAgencyType");
    Objects.requireNonNull(within, "within");
    if (type.isEmpty() && recipientAgencyType.isEmpty()) {
      throw new IllegalArgumentException(
          "an override names a type, a recipient agency type or both");
    }
  }

  public boolean matches(String messageType, String recipientType) {
    return type.map(t -> t.equals(messageType)).orElse(true)
        && recipientAgencyType.map(t -> t.equals(recipientType)).orElse(true);
  }
}
