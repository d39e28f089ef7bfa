package org.safehub.deadlines;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How long a recipient has to acknowledge a copy: a fixed time, or until the end of the next
 * working day.
 */
public sealed interface AcknowledgeWithin
    permits AcknowledgeWithin.After, AcknowledgeWithin.EndOfNextWorkingDay {

  /** The configuration word for {@link EndOfNextWorkingDay}. */
  String END_OF_NEXT_WORKING_DAY = "end-of-next-working-day";

  /** The configuration word for no deadline. */
  String NONE = "none";

  /**
   * The longest fixed time accepted: longer is surely a typo, and keeps instant arithmetic far from
   * overflow.
   */
  Duration LONGEST = Duration.ofDays(366);

  /** The deadline of a copy the hub accepted at {@code acceptedAt}. */
  Instant deadline(Instant acceptedAt, WorkingCalendar calendar);

  /**
   * A fixed time after acceptance, whatever the day (an immediate alert is as urgent on a Sunday).
   */
  record After(Duration duration) implements AcknowledgeWithin {
    public After {
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative() || duration.isZero() || duration.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException(
            "a duration must be more than zero and at most P366D, not " + duration);
      }
    }

    @Override
    public Instant deadline(Instant acceptedAt, WorkingCalendar calendar) {
      return acceptedAt.plus(duration);
    }
  }

  /** The working day's end on the first working day after the (local) day of acceptance. */
  record EndOfNextWorkingDay() implements AcknowledgeWithin {
    @Override
    public Instant deadline(Instant acceptedAt, WorkingCalendar calendar) {
      return calendar.endOfNextWorkingDay(acceptedAt);
    }
  }

  /**
   * Reads a configuration value: an ISO-8601 duration, {@code end-of-next-working-day}, or {@code
   * none} (empty).
   *
   * @throws IllegalArgumentException naming what is wrong with {@code value} (the caller adds file
   *     and place)
   */
  static Optional<AcknowledgeWithin> parse(String value) {
    String v = value.trim();
    if (v.equals(NONE)) {
      return Optional.empty();
    }
    if (v.equals(END_OF_NEXT_WORKING_DAY)) {
      return Optional.of(new EndOfNextWorkingDay());
    }
    if (!v.toUpperCase(Locale.ROOT).startsWith("P")) {
      throw new IllegalArgumentException(
          "'"
              + v
              + "' is neither an ISO-8601 duration (e.g. PT1H) nor "
              + END_OF_NEXT_WORKING_DAY
              + " nor "
              + NONE);
    }
    Duration d;
    try {
      d = Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + v + "' is not an ISO-8601 duration (e.g. PT1H, PT30M, P2D)");
    }
    return Optional.of(new After(d));
  }
}
