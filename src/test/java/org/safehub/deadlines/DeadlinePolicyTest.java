package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.safehub.envelope.Priority;

/**
 * The shipped deploy/config/deadlines.yaml and its bank-holiday calendar, as the hub loads them.
 */
class DeadlinePolicyTest {

  private static final ZoneId LONDON = ZoneId.of("Europe/London");
  private static final DeadlinePolicy SHIPPED = Deadlines.loadChecked(Path.of("deploy/config"));

  /** An instant given as wall-clock time in London, the way a caseworker would say it. */
  private static Instant london(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(LONDON).toInstant();
  }

  private static Optional<Instant> urgentReferral(Instant acceptedAt) {
    return SHIPPED.deadline(Priority.URGENT, "referral", "partner-support", acceptedAt);
  }

  @Test
  void fridayAfternoonBeforeABankHolidayMondayIsDueOnTuesdayAtFive() {
    // Given 31 August 2026 is the summer bank holiday (a Monday)
    // When an urgent referral is accepted on Friday 28 August at 16:00
    // Then it is due on Tuesday 1 September at 17:00 (BST)
    assertEquals(
        Optional.of(london("2026-09-01T17:00")), urgentReferral(london("2026-08-28T16:00")));
    // and the same across the spring bank holiday of 25 May 2026
    assertEquals(
        Optional.of(london("2026-05-26T17:00")), urgentReferral(london("2026-05-22T16:00")));
  }

  @Test
  void easterTakesFourDaysOut() {
    // Good Friday 3 April and Easter Monday 6 April 2026: accepted Thursday 2 April, due Tuesday 7
    // April
    assertEquals(
        Optional.of(london("2026-04-07T17:00")), urgentReferral(london("2026-04-02T09:00")));
  }

  @Test
  void weekendIsSkipped() {
    assertEquals(
        Optional.of(london("2026-06-15T17:00")),
        urgentReferral(london("2026-06-12T09:00")),
        "Friday -> Monday");
    assertEquals(
        Optional.of(london("2026-06-15T17:00")),
        urgentReferral(london("2026-06-13T10:00")),
        "Saturday -> Monday");
    assertEquals(
        Optional.of(london("2026-06-15T17:00")),
        urgentReferral(london("2026-06-14T23:59")),
        "Sunday -> Monday");
    assertEquals(
        Optional.of(london("2026-06-16T17:00")),
        urgentReferral(london("2026-06-15T00:00")),
        "Monday -> Tuesday");
  }

  @Test
  void theAcceptedDayIsTheLocalDayInLondon() {
    // 23:30 UTC on Monday 15 June 2026 is 00:30 BST on Tuesday: the next working day is Wednesday
    assertEquals(
        Optional.of(london("2026-06-17T17:00")),
        urgentReferral(Instant.parse("2026-06-15T23:30:00Z")));
    // in winter 23:30 UTC is 23:30 GMT, still Monday 14 December
    assertEquals(
        Optional.of(london("2026-12-15T17:00")),
        urgentReferral(Instant.parse("2026-12-14T23:30:00Z")));
  }

  @Test
  void christmasAndBoxingDaySubstitutesAreSkipped() {
    // 2026: Christmas Friday 25, Boxing Day Saturday 26 -> substitute Monday 28: due Tuesday 29
    assertEquals(
        Optional.of(london("2026-12-29T17:00")), urgentReferral(london("2026-12-24T10:00")));
    // 2027: Christmas Saturday and Boxing Day Sunday -> substitutes Monday 27 and Tuesday 28: due
    // Wednesday 29
    assertEquals(
        Optional.of(london("2027-12-29T17:00")), urgentReferral(london("2027-12-24T10:00")));
    // 2028: New Year's Day Saturday 1 January -> substitute Monday 3: accepted Friday 31 December
    // 2027, due Tuesday 4
    assertEquals(
        Optional.of(london("2028-01-04T17:00")), urgentReferral(london("2027-12-31T16:00")));
    // 2028: Christmas Monday 25 and Boxing Day Tuesday 26: accepted Friday 22, due Wednesday 27
    assertEquals(
        Optional.of(london("2028-12-27T17:00")), urgentReferral(london("2028-12-22T16:00")));
  }

  @Test
  void workingDayEndsAtFiveLocalTimeInDaylightSavingChangeWeeks() {
    // clocks go forward on Sunday 29 March 2026: Friday noon GMT -> Monday 17:00 BST, which is
    // 16:00 UTC
    assertEquals(
        Optional.of(Instant.parse("2026-03-30T16:00:00Z")),
        urgentReferral(Instant.parse("2026-03-27T12:00:00Z")));
    // clocks go back on Sunday 25 October 2026: Friday noon BST -> Monday 17:00 GMT, which is 17:00
    // UTC
    assertEquals(
        Optional.of(Instant.parse("2026-10-26T17:00:00Z")),
        urgentReferral(Instant.parse("2026-10-23T11:00:00Z")));
    // accepted in the small hours of the change itself (Sunday), due Monday 17:00 in the new offset
    assertEquals(
        Optional.of(Instant.parse("2026-03-30T16:00:00Z")),
        urgentReferral(Instant.parse("2026-03-29T01:30:00Z")));
  }

  @Test
  void immediateIsDueOneHourLaterWhateverTheDay() {
    Instant sunday = london("2026-06-14T03:10");
    assertEquals(
        Optional.of(sunday.plus(Duration.ofHours(1))),
        SHIPPED.deadline(Priority.IMMEDIATE, "risk-disclosure", "mash", sunday));
    // an elapsed hour, not a wall-clock hour, across the spring change (00:30 GMT -> 02:30 BST)
    Instant beforeChange = Instant.parse("2026-03-29T00:30:00Z");
    assertEquals(
        Optional.of(Instant.parse("2026-03-29T01:30:00Z")),
        SHIPPED.deadline(Priority.IMMEDIATE, "risk-disclosure", "mash", beforeChange));
  }

  @Test
  void routineHasNoDeadline() {
    assertEquals(
        Optional.empty(),
        SHIPPED.deadline(
            Priority.ROUTINE, "referral", "partner-support", london("2026-06-15T10:00")));
    // the child-protection override is for children's services only
    assertEquals(
        Optional.empty(),
        SHIPPED.deadline(
            Priority.ROUTINE, "child-protection-alert", "mash", london("2026-06-15T10:00")));
  }

  @Test
  void childProtectionAlertToChildrensServicesIsDueByEndOfNextWorkingDayWhateverItsPriority() {
    Instant friday = london("2026-08-28T16:00");
    // routine would have none: the override gives end of next working day
    assertEquals(
        Optional.of(london("2026-09-01T17:00")),
        SHIPPED.deadline(Priority.ROUTINE, "child-protection-alert", "childrens-services", friday));
    // immediate keeps its earlier hour: the override is "at the latest"
    assertEquals(
        Optional.of(friday.plus(Duration.ofHours(1))),
        SHIPPED.deadline(
            Priority.IMMEDIATE, "child-protection-alert", "childrens-services", friday));
  }

  @Test
  void shippedEscalationGoesToMashRepeatingHourlyForImmediateOnly() {
    Escalation e = SHIPPED.escalation();
    assertEquals(List.of("mash"), e.to());
    assertEquals(Optional.of(Duration.ofHours(1)), e.repeatEvery(Priority.IMMEDIATE));
    assertEquals(Optional.empty(), e.repeatEvery(Priority.URGENT));
    assertEquals(Optional.empty(), e.repeatEvery(Priority.ROUTINE));
    assertEquals(3, e.maxRepeats());
  }
}
