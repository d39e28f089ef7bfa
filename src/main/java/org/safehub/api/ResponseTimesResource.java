package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;
import org.safehub.api.Responses.AgencyResponseTimes;
import org.safehub.api.Responses.ResponseTimesReport;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.delivery.ResponseTimes;
import org.safehub.identity.CallerResolver;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;

/**
 * How fast the partnership responds (auditor only): per recipient agency and message type, copies
 * due in a period, acknowledged in time, late, still overdue, and the median and 90th percentile
 * time to acknowledge. Counts and times only, never content; every query is audited.
 */
@Path("/api/v1/audit/response-times")
@Blocking
@RolesAllowed("auditor")
@Produces(MediaType.APPLICATION_JSON)
public class ResponseTimesResource {

  /** The default period, back from now, and the longest one asked for at once. */
  static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

  static final Duration LONGEST_PERIOD = Duration.ofDays(366);

  private static final Pattern AGENCY = Pattern.compile("^[a-z0-9][a-z0-9-]{0,63}$");

  @Inject ResponseTimes responseTimes;

  @Inject AuditTrail trail;

  @Inject CallerResolver callers;

  @Inject Clock clock;

  @GET
  public ResponseTimesReport responseTimes(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("agency") String agency,
      @QueryParam("type") String type) {
    return report(
        responseTimes,
        clock,
        from,
        to,
        agency,
        type,
        () ->
            trail.record(
                List.of(
                    AuditEvent.builder(AuditAction.AUDIT_QUERIED, Instant.now())
                        .actor(callers.caller().agencyId(), callers.caller().clientId())
                        .detail("query", "response-times")
                        .build())));
  }

  /**
   * The report for these parameters, validated (400 problem documents) before {@code audited} runs
   * and the figures are read; shared with the auditor console so both answer alike.
   */
  static ResponseTimesReport report(
      ResponseTimes responseTimes,
      Clock clock,
      String from,
      String to,
      String agency,
      String type,
      Runnable audited) {
    Instant now = clock.instant();
    Instant t = instant(to, "to", now);
    Instant f = instant(from, "from", t.minus(DEFAULT_PERIOD));
    if (!f.isBefore(t)) {
      throw invalid("from", "range", "must be before 'to'");
    }
    if (Duration.between(f, t).compareTo(LONGEST_PERIOD) > 0) {
      throw invalid("to", "range", "the period must be at most 366 days");
    }
    String a = name(agency, "agency");
    String ty = name(type, "type");
    audited.run();
    try {
      return new ResponseTimesReport(
          f,
          t,
          now,
          responseTimes.report(f, t, a, ty).stream()
              .map(
                  r ->
                      new AgencyResponseTimes(
                          r.agency(),
                          r.type(),
                          r.due(),
                          r.acknowledgedInTime(),
                          r.acknowledgedLate(),
                          r.overdue(),
                          r.medianSecondsToAcknowledge(),
                          r.p90SecondsToAcknowledge()))
              .toList());
    } catch (SQLException e) {
      throw HubProblem.unavailable("The response times cannot be read right now; try again.", 5);
    }
  }

  private static Instant instant(String value, String name, Instant dflt) {
    if (value == null || value.isEmpty()) {
      return dflt;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw invalid(name, "format", "must be an instant like 2026-11-23T10:00:00Z");
    }
  }

  /** An agency id or message type: absent, or a slug (what the files allow). */
  private static String name(String value, String name) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (!AGENCY.matcher(value).matches()) {
      throw invalid(name, "pattern", "must be an id like demo-cs or child-protection-alert");
    }
    return value;
  }

  private static HubProblem invalid(String name, String keyword, String message) {
    return new HubProblem(
        400,
        "invalid-parameter",
        "Invalid query parameter",
        "'" + name + "' " + message + ".",
        List.of(new Violation("/" + name, keyword, message)),
        null);
  }
}
