package org.safehub.agencies;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An agency type (idva, police, perpetrator-programme, ...). Types are data, declared in {@code
 * agencies.yaml}, so this is a checked name rather than an enum; the name is the wire form in every
 * file, message and table.
 */
public record AgencyType(String name) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,63}");

  public AgencyType {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "an agency type is 2 to 64 lower-case letters, digits and hyphens");
    }
  }

  /** The type with this name; a malformed name is an {@link IllegalArgumentException}. */
  public static AgencyType of(String name) {
    return new AgencyType(name);
  }

  @JsonValue
  @Override
  public String name() {
    return name;
  }

  /** The name, so that a type reads as itself in configuration errors. */
  @Override
  public String toString() {
    return name;
  }
}
