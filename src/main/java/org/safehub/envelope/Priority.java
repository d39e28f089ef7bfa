package org.safehub.envelope;

/** How fast a message must be acted on. */
public enum Priority {
  ROUTINE,
  URGENT,
  IMMEDIATE;

  public static Priority parse(String value) {
    return Priority.valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
