package org.safehub.deadlines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.config.DeployConfigException;

/** An invalid deadlines.yaml or holidays file stops start-up with the file and the fault named. */
class DeadlinesConfigTest {

  private static final Path DEPLOY = Path.of("deploy/config");
  private static final String HOLIDAYS = "bank-holidays-england-and-wales.yaml";

  @TempDir Path dir;

  @BeforeEach
  void copyShipped() throws IOException {
    for (String f : new String[] {"deadlines.yaml", HOLIDAYS, "agencies.yaml", "routing.yaml"}) {
      Files.copy(DEPLOY.resolve(f), dir.resolve(f));
    }
  }

  private void edit(String file, String from, String to) throws IOException {
    String before = Files.readString(dir.resolve(file));
    String after = before.replace(from, to);
    assertTrue(!after.equals(before), "the edit applies: " + from);
    Files.writeString(dir.resolve(file), after);
  }

  /** Loads the edited folder as start-up does and returns the refusal. */
  private String refusal() {
    return assertThrows(DeployConfigException.class, () -> Deadlines.loadChecked(dir)).getMessage();
  }

  private static void assertNames(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + p + "' in: " + message);
    }
  }

  @Test
  void theShippedFilesLoad() {
    Deadlines.loadChecked(dir);
  }

  @Test
  void unknownTopLevelKeyIsRefused() throws IOException {
    edit("deadlines.yaml", "overrides:", "acknowledgeInside:\n  urgent: PT2H\noverrides:");
    assertNames(refusal(), dir.resolve("deadlines.yaml").toString(), "acknowledgeInside");
  }

  @Test
  void badDurationIsRefused() throws IOException {
    edit("deadlines.yaml", "immediate: PT1H", "immediate: PT1X");
    assertNames(
        refusal(),
        "deadlines.yaml",
        "/acknowledgeWithin/immediate",
        "'PT1X' is not an ISO-8601 duration");
  }

  @Test
  void wordsThatAreNotADurationAreRefused() throws IOException {
    edit("deadlines.yaml", "immediate: PT1H", "immediate: one hour");
    assertNames(
        refusal(),
        "deadlines.yaml",
        "/acknowledgeWithin/immediate",
        "'one hour' is neither an ISO-8601 duration");
  }

  @Test
  void zeroOrNegativeDurationIsRefused() throws IOException {
    edit("deadlines.yaml", "immediate: PT1H", "immediate: PT-1H");
    assertNames(refusal(), "deadlines.yaml", "/acknowledgeWithin/immediate", "more than zero");
  }

  @Test
  void unknownPriorityIsRefused() throws IOException {
    edit("deadlines.yaml", "  routine: none", "  routine: none\n  critical: PT10M");
    assertNames(refusal(), "deadlines.yaml", "/acknowledgeWithin", "critical");
  }

  @Test
  void unknownPriorityInRepeatIsRefused() throws IOException {
    edit("deadlines.yaml", "    immediate: PT1H\n  maxRepeats", "    critical: PT1H\n  maxRepeats");
    assertNames(refusal(), "deadlines.yaml", "/escalation/repeatEvery", "critical");
  }

  @Test
  void repeatThatIsNotADurationIsRefused() throws IOException {
    edit(
        "deadlines.yaml",
        "    immediate: PT1H\n  maxRepeats",
        "    immediate: end-of-next-working-day\n  maxRepeats");
    assertNames(
        refusal(), "deadlines.yaml", "/escalation/repeatEvery/immediate", "repeat interval");
  }

  @Test
  void badZoneIsRefused() throws IOException {
    edit("deadlines.yaml", "zone: Europe/London", "zone: Europe/Londres");
    assertNames(
        refusal(), "deadlines.yaml", "/workingDay/zone", "'Europe/Londres' is not a time zone");
  }

  @Test
  void badTimeIsRefused() throws IOException {
    edit("deadlines.yaml", "end: \"17:00\"", "end: \"25:00\"");
    assertNames(refusal(), "deadlines.yaml", "/workingDay/end", "'25:00' is not a time of day");
  }

  @Test
  void missingHolidaysFileIsRefused() throws IOException {
    Files.delete(dir.resolve(HOLIDAYS));
    assertNames(refusal(), "deadlines.yaml", "/workingDay/holidays", HOLIDAYS, "not found");
  }

  @Test
  void holidaysOutsideTheConfigFolderAreRefused() throws IOException {
    edit("deadlines.yaml", "holidays: " + HOLIDAYS, "holidays: ../" + HOLIDAYS);
    assertNames(refusal(), "deadlines.yaml", "/workingDay/holidays");
  }

  @Test
  void missingEscalationIsRefused() throws IOException {
    String text = Files.readString(dir.resolve("deadlines.yaml"));
    Files.writeString(
        dir.resolve("deadlines.yaml"), text.replaceAll("(?s)escalation:.*?maxRepeats: 3\n", ""));
    assertNames(refusal(), "deadlines.yaml", "escalation");
  }

  @Test
  void overrideThatRemovesADeadlineIsRefused() throws IOException {
    edit(
        "deadlines.yaml",
        "    acknowledgeWithin: end-of-next-working-day",
        "    acknowledgeWithin: none");
    assertNames(
        refusal(),
        "deadlines.yaml",
        "/overrides/0/acknowledgeWithin",
        "can only bring a deadline forward");
  }

  @Test
  void overrideForAMisspeltAgencyTypeIsRefused() throws IOException {
    edit(
        "deadlines.yaml",
        "recipientAgencyType: childrens-services",
        "recipientAgencyType: childrens-service");
    assertNames(
        refusal(),
        "deadlines.yaml",
        "/overrides/0/recipientAgencyType",
        "unknown agency type 'childrens-service'");
  }

  @Test
  void overrideForAnUnknownMessageTypeIsRefused() throws IOException {
    edit("deadlines.yaml", "type: child-protection-alert", "type: child-protection-alarm");
    assertNames(
        refusal(),
        "deadlines.yaml",
        "/overrides/0/type",
        "unknown message type 'child-protection-alarm'");
  }

  @Test
  void escalationToAnUnknownAgencyTypeIsRefused() throws IOException {
    edit("deadlines.yaml", "to: [mash]", "to: [police]");
    assertNames(refusal(), "deadlines.yaml", "/escalation/to/0", "unknown agency type 'police'");
  }

  @Test
  void invalidHolidayDateIsRefusedNamingTheHolidaysFile() throws IOException {
    edit(HOLIDAYS, "date: 2026-04-06", "date: 2026-04-31");
    assertNames(refusal(), HOLIDAYS, "/holidays/2/date");
  }

  @Test
  void holidayOutsideTheCoveredYearsIsRefused() throws IOException {
    edit(HOLIDAYS, "date: 2028-12-26", "date: 2029-12-26");
    assertNames(refusal(), HOLIDAYS, "/holidays/23/date", "outside the years");
  }

  @Test
  void holidayListedTwiceIsRefused() throws IOException {
    edit(HOLIDAYS, "date: 2026-12-28", "date: 2026-12-25");
    assertNames(refusal(), HOLIDAYS, "/holidays/7/date", "listed twice");
  }

  @Test
  void aDeadlineFileNotFoundIsRefused() throws IOException {
    Files.delete(dir.resolve("deadlines.yaml"));
    assertEquals(dir.resolve("deadlines.yaml") + ": file not found", refusal());
  }
}
