package org.safehub.copy;

import java.util.Objects;

/** The agency a copy is for, as the stages see it: its id and its agency type. */
public record Recipient(String id, String type) {
  public Recipient {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
  }
}
