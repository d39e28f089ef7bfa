package org.safehub.deadlines;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;

/**
 * Working days (Monday to Friday, not a bank holiday) and when a working day ends, in one time
 * zone; the end is local time, so 17:00 Europe/London is 17:00 GMT in winter and 17:00 BST in
 * summer.
 */
public final class WorkingCalendar {

  private final ZoneId zone;
  private final LocalTime end;
  private final Set<LocalDate> holidays;
  private final Set<Integer> years;

  /**
   * @param holidays the bank holidays
   * @param years the years whose holidays {@code holidays} lists completely
   */
  public WorkingCalendar(ZoneId zone, LocalTime end, Set<LocalDate> holidays, Set<Integer> years) {
    this.zone = Objects.requireNonNull(zone, "zone");
    this.end = Objects.requireNonNull(end, "end");
    this.holidays = Set.copyOf(holidays);
    this.years = Set.copyOf(years);
  }

  public ZoneId zone() {
    return zone;
  }

  public LocalTime end() {
    return end;
  }

  /**
   * Whether the calendar lists every bank holiday of {@code year}; outside them only weekends are
   * known.
   */
  public boolean covers(int year) {
    return years.contains(year);
  }

  public boolean isWorkingDay(LocalDate day) {
    DayOfWeek d = day.getDayOfWeek();
    return d != DayOfWeek.SATURDAY && d != DayOfWeek.SUNDAY && !holidays.contains(day);
  }

  /** The first working day strictly after {@code day}. */
  public LocalDate nextWorkingDayAfter(LocalDate day) {
    LocalDate next = day.plusDays(1);
    // terminates: at most holidays.size() + a weekend per week are skipped
    while (!isWorkingDay(next)) {
      next = next.plusDays(1);
    }
    return next;
  }

  /** The end of the first working day after the local day on which {@code instant} falls. */
  public Instant endOfNextWorkingDay(Instant instant) {
    LocalDate day = instant.atZone(zone).toLocalDate();
    // ZonedDateTime.of resolves a wall time in a DST gap forwards and in an overlap to the earlier
    // offset
    return ZonedDateTime.of(nextWorkingDayAfter(day), end, zone).toInstant();
  }
}
