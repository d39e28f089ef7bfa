package org.safehub.deadlines;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.safehub.envelope.Priority;

/**
 * Whom a missed deadline is escalated to (agency types in the message's area), how often it is
 * repeated per priority while the copy stays unacknowledged, and how many repeats at most. Read and
 * applied by the escalator (pipeline.DeadlineEscalator).
 */
public record Escalation(List<String> to, Map<Priority, Duration> repeatEvery, int maxRepeats) {

  public Escalation {
    to = List.copyOf(to);
    repeatEvery = Map.copyOf(repeatEvery);
    if (to.isEmpty()) {
      throw new IllegalArgumentException("escalation needs at least one agency type");
    }
    if (maxRepeats < 0) {
      throw new IllegalArgumentException("maxRepeats must not be negative");
    }
    repeatEvery
        .values()
        .forEach(
            d -> {
              if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a repeat interval must be more than zero");
              }
            });
  }

  /**
   * The repeat interval for {@code priority}; empty when a missed deadline of that priority is
   * escalated once.
   */
  public Optional<Duration> repeatEvery(Priority priority) {
    return Optional.ofNullable(repeatEvery.get(Objects.requireNonNull(priority, "priority")));
  }
}
