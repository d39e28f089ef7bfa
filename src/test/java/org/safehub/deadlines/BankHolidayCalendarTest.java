package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.safehub.config.ConfigFiles;

/**
 * The shipped England and Wales calendar against the rules that make it (Banking and Financial
 * Dealings Act 1971 and the royal proclamations), computed independently here, and against the
 * dates GOV.UK publishes.
 */
class BankHolidayCalendarTest {

  private static final Path FILE = Path.of("deploy/config/bank-holidays-england-and-wales.yaml");

  private static Set<LocalDate> shipped() {
    JsonNode root = ConfigFiles.read(FILE, "bank-holidays");
    Set<LocalDate> out = new TreeSet<>();
    root.path("holidays").forEach(h -> out.add(LocalDate.parse(h.path("date").asText())));
    return out;
  }

  /** Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
  static LocalDate easterSunday(int y) {
    int a = y % 19,
        b = y / 100,
        c = y % 100,
        d = b / 4,
        e = b % 4,
        f = (b + 8) / 25,
        g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30,
        i = c / 4,
        k = c % 4,
        l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return LocalDate.of(y, month, day);
  }

  private static LocalDate weekdayOnOrAfter(LocalDate d) {
    return d.getDayOfWeek() == DayOfWeek.SATURDAY
        ? d.plusDays(2)
        : d.getDayOfWeek() == DayOfWeek.SUNDAY ? d.plusDays(1) : d;
  }

  static Set<LocalDate> byRule(int y) {
    Set<LocalDate> out = new TreeSet<>();
    out.add(weekdayOnOrAfter(LocalDate.of(y, 1, 1)));
    LocalDate easter = easterSunday(y);
    out.add(easter.minusDays(2));
    out.add(easter.plusDays(1));
    out.add(LocalDate.of(y, 5, 1).with(TemporalAdjusters.firstInMonth(DayOfWeek.MONDAY)));
    out.add(LocalDate.of(y, 5, 1).with(TemporalAdjusters.lastInMonth(DayOfWeek.MONDAY)));
    out.add(LocalDate.of(y, 8, 1).with(TemporalAdjusters.lastInMonth(DayOfWeek.MONDAY)));
    LocalDate christmas = weekdayOnOrAfter(LocalDate.of(y, 12, 25));
    out.add(christmas);
    out.add(weekdayOnOrAfter(christmas.plusDays(1)));
    return out;
  }

  @Test
  void easterSundaysAreTheKnownOnes() {
    assertEquals(LocalDate.of(2026, 4, 5), easterSunday(2026));
    assertEquals(LocalDate.of(2027, 3, 28), easterSunday(2027));
    assertEquals(LocalDate.of(2028, 4, 16), easterSunday(2028));
  }

  @Test
  void shippedCalendarIsExactlyTheBankHolidaysOf2026To2028() {
    Set<LocalDate> expected = new TreeSet<>();
    for (int y = 2026; y <= 2028; y++) {
      expected.addAll(byRule(y));
    }
    assertEquals(expected, shipped());
  }

  @Test
  void shippedCalendarHasTheDatesGovUkPublishes() {
    Set<LocalDate> published = new TreeSet<>();
    for (String d :
        new String[] {
          "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
              "2026-12-25", "2026-12-28",
          "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
              "2027-12-27", "2027-12-28",
          "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28",
              "2028-12-25", "2028-12-26"
        }) {
      published.add(LocalDate.parse(d));
    }
    assertEquals(published, shipped());
    shipped().forEach(d -> assertTrue(d.getDayOfWeek().getValue() <= 5, d + " is a weekday"));
  }
}
