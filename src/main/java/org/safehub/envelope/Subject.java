package org.safehub.envelope;

import java.util.Objects;

/** A pseudonymous person on a case and their role in it (victim, perpetrator, child). */
public record Subject(String ref, String role) {
  public Subject {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(role, "role");
  }
}
