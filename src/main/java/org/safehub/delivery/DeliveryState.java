package org.safehub.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where one recipient's copy of a message stands, as the sender's status shows it; the wire names
 * are the table's.
 */
public enum DeliveryState {
  PENDING,
  DELIVERED,
  ACKNOWLEDGED,
  WITHHELD,
  /** Delivered, unacknowledged and past its deadline: shown, never stored. */
  OVERDUE;

  /** The name in the {@code delivery} table and on the wire. */
  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  public static DeliveryState parse(String wire) {
    for (DeliveryState s : values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown delivery state");
  }
}
