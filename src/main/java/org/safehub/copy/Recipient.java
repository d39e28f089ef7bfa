package org.safehub.copy;

import java.util.Objects;

/**
 * The agency a copy is for, as the stages see it: its id and its agency type's name (an {@code
 * agencies.AgencyType}, which sits a floor above this vocabulary).
 */
public record Recipient(String id, String type) {
  public Recipient {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
  }
}
