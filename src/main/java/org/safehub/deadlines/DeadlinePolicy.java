package org.safehub.deadlines;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.safehub.config.ConfigFiles;
import org.safehub.config.DeployConfigException;
import org.safehub.envelope.Priority;

/**
 * When a copy must be acknowledged by, read from {@code deadlines.yaml}: the priority's deadline,
 * brought forward by any matching override (an override says "at the latest"), or none.
 */
public final class DeadlinePolicy {

  public static final String FILE = "deadlines.yaml";

  private final String source;
  private final Map<Priority, AcknowledgeWithin> byPriority;
  private final List<DeadlineOverride> overrides;
  private final Escalation escalation;
  private final WorkingCalendar calendar;

  public DeadlinePolicy(
      String source,
      Map<Priority, AcknowledgeWithin> byPriority,
      List<DeadlineOverride> overrides,
      Escalation escalation,
      WorkingCalendar calendar) {
    this.source = Objects.requireNonNull(source, "source");
    this.byPriority = Map.copyOf(byPriority);
    this.overrides = List.copyOf(overrides);
    this.escalation = Objects.requireNonNull(escalation, "escalation");
    this.calendar = Objects.requireNonNull(calendar, "calendar");
  }

  /**
   * The deadline of a copy of a {@code messageType} message of {@code priority} for an agency of
   * {@code recipientAgencyType} that the hub accepted at {@code acceptedAt}; empty when it need not
   * be acknowledged.
   */
  public Optional<Instant> deadline(
      Priority priority, String messageType, String recipientAgencyType, Instant acceptedAt) {
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(messageType, "messageType");
    Objects.requireNonNull(recipientAgencyType, "recipientAgencyType");
    Objects.requireNonNull(acceptedAt, "acceptedAt");
    Optional<Instant> deadline =
        Optional.ofNullable(byPriority.get(priority)).map(w -> w.deadline(acceptedAt, calendar));
    for (DeadlineOverride o : overrides) {
      if (o.matches(messageType, recipientAgencyType)) {
        Instant d = o.within().deadline(acceptedAt, calendar);
        if (deadline.isEmpty() || d.isBefore(deadline.get())) {
          deadline = Optional.of(d);
        }
      }
    }
    return deadline;
  }

  public Escalation escalation() {
    return escalation;
  }

  public WorkingCalendar calendar() {
    return calendar;
  }

  public List<DeadlineOverride> overrides() {
    return overrides;
  }

  /**
   * Refuses (naming the file and the place) an override or escalation that names a message type or
   * an agency type the hub does not know: a misspelt {@code childrens-service} would otherwise
   * silently never apply.
   */
  public void requireKnown(Collection<String> messageTypes, Collection<String> agencyTypes) {
    for (int i = 0; i < overrides.size(); i++) {
      DeadlineOverride o = overrides.get(i);
      String at = "/overrides/" + i;
      o.type()
          .filter(t -> !messageTypes.contains(t))
          .ifPresent(
              t -> {
                throw new DeployConfigException(
                    source, at + "/type: unknown message type '" + t + "'");
              });
      o.recipientAgencyType()
          .filter(t -> !agencyTypes.contains(t))
          .ifPresent(
              t -> {
                throw new DeployConfigException(
                    source, at + "/recipientAgencyType: unknown agency type '" + t + "'");
              });
    }
    for (int i = 0; i < escalation.to().size(); i++) {
      String t = escalation.to().get(i);
      if (!agencyTypes.contains(t)) {
        throw new DeployConfigException(
            source, "/escalation/to/" + i + ": unknown agency type '" + t + "'");
      }
    }
  }

  /**
   * Loads {@code <configDir>/deadlines.yaml} and the holidays file it names; every fault names the
   * file and place.
   */
  public static DeadlinePolicy load(Path configDir) {
    Path file = configDir.resolve(FILE);
    String name = file.toString();
    JsonNode root = ConfigFiles.read(file, "deadlines");

    Map<Priority, AcknowledgeWithin> byPriority = new EnumMap<>(Priority.class);
    root.path("acknowledgeWithin")
        .fields()
        .forEachRemaining(
            e -> {
              String at = "/acknowledgeWithin/" + e.getKey();
              within(e.getValue(), name, at)
                  .ifPresent(w -> byPriority.put(Priority.parse(e.getKey()), w));
            });

    List<DeadlineOverride> overrides = new ArrayList<>();
    int i = 0;
    for (JsonNode o : root.path("overrides")) {
      String at = "/overrides/" + i++;
      AcknowledgeWithin w =
          within(o.path("acknowledgeWithin"), name, at + "/acknowledgeWithin")
              .orElseThrow(
                  () ->
                      new DeployConfigException(
                          name,
                          at
                              + "/acknowledgeWithin: an override can only bring a deadline"
                              + " forward; '"
                              + AcknowledgeWithin.NONE
                              + "' would change nothing"));
      overrides.add(new DeadlineOverride(text(o, "type"), text(o, "recipientAgencyType"), w));
    }

    JsonNode esc = root.path("escalation");
    List<String> to = new ArrayList<>();
    esc.path("to").forEach(t -> to.add(t.asText()));
    Map<Priority, Duration> repeatEvery = new EnumMap<>(Priority.class);
    esc.path("repeatEvery")
        .fields()
        .forEachRemaining(
            e -> {
              String at = "/escalation/repeatEvery/" + e.getKey();
              AcknowledgeWithin w = within(e.getValue(), name, at).orElse(null);
              if (!(w instanceof AcknowledgeWithin.After after)) {
                throw new DeployConfigException(
                    name,
                    at
                        + ": a repeat interval is an ISO-8601 duration (e.g. PT1H);"
                        + " leave the priority out to escalate it once");
              }
              repeatEvery.put(Priority.parse(e.getKey()), after.duration());
            });
    Escalation escalation = new Escalation(to, repeatEvery, esc.path("maxRepeats").asInt());

    return new DeadlinePolicy(
        name,
        byPriority,
        overrides,
        escalation,
        calendar(configDir, root.path("workingDay"), name));
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  private static Optional<AcknowledgeWithin> within(JsonNode value, String file, String at) {
    if (value.isNull() || value.isMissingNode()) {
      return Optional.empty();
    }
    try {
      return AcknowledgeWithin.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw new DeployConfigException(file, at + ": " + e.getMessage());
    }
  }

  private static WorkingCalendar calendar(Path configDir, JsonNode day, String name) {
    LocalTime end;
    try {
      end = LocalTime.parse(day.path("end").asText());
    } catch (DateTimeParseException e) {
      throw new DeployConfigException(
          name,
          "/workingDay/end: '"
              + day.path("end").asText()
              + "' is not a time of day (HH:mm, e.g. 17:00)");
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(day.path("zone").asText());
    } catch (DateTimeException e) {
      throw new DeployConfigException(
          name,
          "/workingDay/zone: '"
              + day.path("zone").asText()
              + "' is not a time zone (e.g. Europe/London)");
    }
    Path holidaysFile = configDir.resolve(day.path("holidays").asText());
    if (!Files.isRegularFile(holidaysFile)) {
      throw new DeployConfigException(
          name, "/workingDay/holidays: holidays file " + holidaysFile + " not found");
    }
    JsonNode cal = ConfigFiles.read(holidaysFile, "bank-holidays");
    String calName = holidaysFile.toString();
    Set<Integer> years = new HashSet<>();
    cal.path("years").forEach(y -> years.add(y.asInt()));
    Set<LocalDate> holidays = new HashSet<>();
    int i = 0;
    for (JsonNode h : cal.path("holidays")) {
      String at = "/holidays/" + i++ + "/date";
      LocalDate date;
      try {
        date = LocalDate.parse(h.path("date").asText());
      } catch (DateTimeParseException e) {
        throw new DeployConfigException(
            calName, at + ": '" + h.path("date").asText() + "' is not a date (yyyy-MM-dd)");
      }
      if (!years.contains(date.getYear())) {
        throw new DeployConfigException(
            calName,
            at + ": " + date + " is outside the years the file covers " + new TreeSet<>(years));
      }
      if (!holidays.add(date)) {
        throw new DeployConfigException(calName, at + ": " + date + " is listed twice");
      }
    }
    for (int year : years) {
      if (holidays.stream().noneMatch(d -> d.getYear() == year)) {
        throw new DeployConfigException(
            calName, "/years: " + year + " is covered but has no holidays listed");
      }
    }
    return new WorkingCalendar(zone, end, holidays, years);
  }
}
