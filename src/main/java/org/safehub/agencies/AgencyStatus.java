package org.safehub.agencies;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether an agency may receive copies. A suspended agency receives nothing. */
public enum AgencyStatus {
  ACTIVE,
  SUSPENDED;

  /** The name in {@code agencies.yaml}, the status table and the API. */
  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
