package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.api.Responses.Acknowledged;
import org.safehub.api.Responses.InboxPage;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.delivery.DeliveryState;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.delivery.FetchRecorder;
import org.safehub.delivery.InboxItem;
import org.safehub.delivery.InboxReader;
import org.safehub.delivery.LiveCopies;
import org.safehub.identity.Caller;
import org.safehub.identity.CallerResolver;
import org.safehub.limits.LimitsConfig;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;

/**
 * The caller's own inbox: pages with a cursor, acknowledgements, and a live stream. Only ever the
 * caller's agency.
 */
@Path("/api/v1/inbox")
public class InboxResource {

  private static final int MAX_LIMIT = 500;
  private static final Logger LOG = Logger.getLogger(InboxResource.class);

  @Inject CallerResolver callers;

  @Inject InboxReader reader;

  @Inject DeliveryStatusStore statuses;

  @Inject LiveCopies live;

  @Inject AgencyDirectory agencies;

  @Inject AgencyStatusStore agencyStatus;

  @Inject FetchRecorder fetches;

  @Inject AuditTrail trail;

  @Inject LimitsConfig limits;

  @GET
  @Blocking
  @RolesAllowed("subscriber")
  @Produces(MediaType.APPLICATION_JSON)
  public InboxPage page(@QueryParam("after") String after, @QueryParam("limit") String limit)
      throws InterruptedException {
    String agency = ownAgency();
    Long afterOffset = parse(after, "after", -1, Long.MAX_VALUE - 1, null);
    int n = parse(limit, "limit", 1, MAX_LIMIT, 100L).intValue();
    InboxReader.Page page;
    try {
      page = reader.read(agency, afterOffset, n);
    } catch (RuntimeException e) {
      throw HubProblem.unavailable("The inbox cannot be read right now.", 5);
    }
    try {
      // recorded before the copies are handed over; the owners are told
      fetches.fetched(agency, callers.caller().clientId(), page.items());
    } catch (FetchRecorder.RecipientSuspended e) {
      throw suspended();
    } catch (Exception e) {
      throw HubProblem.unavailable("The inbox cannot be read right now.", 5);
    }
    List<InboxItem> items;
    try {
      items = withDeadlines(agency, page.items());
    } catch (SQLException e) {
      throw HubProblem.unavailable("The inbox cannot be read right now.", 5);
    }
    return new InboxPage(items, page.nextCursor() == null ? after : page.nextCursor());
  }

  @POST
  @Path("/{messageId}/ack")
  @Blocking
  @RolesAllowed("subscriber")
  @Produces(MediaType.APPLICATION_JSON)
  public Acknowledged ack(@PathParam("messageId") String messageId) {
    String agency = ownAgency();
    UUID id = MessagesResource.parseId(messageId);
    String client = callers.caller().clientId();
    boolean acknowledged;
    try {
      // the acknowledgement and its audit event commit together, or neither does
      acknowledged =
          trail.decide(
              c -> {
                boolean done = statuses.acknowledge(c, id, agency);
                return new AuditLog.Decided<>(
                    done,
                    done
                        ? List.of(
                            AuditEvent.builder(AuditAction.ACKNOWLEDGED, java.time.Instant.now())
                                .actor(agency, client)
                                .message(id, null, null)
                                .build())
                        : List.of());
              });
    } catch (RuntimeException e) {
      throw HubProblem.unavailable("Acknowledgements cannot be recorded right now.", 5);
    }
    if (!acknowledged) {
      throw HubProblem.notFound("Your inbox holds no delivered copy of this message.");
    }
    return new Acknowledged(id, DeliveryState.ACKNOWLEDGED);
  }

  /**
   * Copies as server-sent events, each with its cursor as the event id: new copies, or, with {@code
   * Last-Event-ID} (a cursor), every copy committed after it and then new ones, none twice. Each
   * copy is a fetch like a page's: recorded, its owner told, and handed over only if the agency is
   * not suspended; the stream ends on suspension or when a copy cannot be recorded (the client
   * reconnects with the last cursor it saw).
   */
  @GET
  @Path("/stream")
  @Blocking
  @RolesAllowed("subscriber")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<OutboundSseEvent> stream(
      @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId, @Context Sse sse) {
    Long after = lastEventId(lastEventId);
    String agency = ownAgency();
    int most = limits.streamsPerAgency();
    // the usual answer; streams opened together may all pass this count, but LiveCopies counts
    // and adds each in one step, so one over the bound ends at once, empty
    if (live.openStreams(agency) >= most) {
      throw new HubProblem(
          429,
          "too-many-streams",
          "Too many live streams",
          "Your agency already has "
              + most
              + " live streams open on this hub; close one before opening another.",
          List.of(),
          5);
    }
    String client = callers.caller().clientId();
    return live.stream(agency, after, most)
        .onItem()
        .transformToUniAndConcatenate(
            item ->
                Uni.createFrom()
                    .item(() -> handOver(agency, client, item))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
        .map(
            item ->
                sse.newEventBuilder()
                    .id(item.cursor())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(InboxItem.class, item)
                    .build())
        .onFailure()
        .invoke(
            e -> LOG.infof("live stream of %s ended (%s)", agency, e.getClass().getSimpleName()))
        .onFailure()
        .recoverWithCompletion();
  }

  /** Each copy with its own acknowledgement deadline, if it has one. */
  private List<InboxItem> withDeadlines(String agency, List<InboxItem> items) throws SQLException {
    List<UUID> ids = new ArrayList<>();
    for (InboxItem i : items) {
      if (i.messageId() != null && !"safehub".equals(i.sender())) {
        ids.add(UUID.fromString(i.messageId()));
      }
    }
    Map<UUID, Instant> deadlines = statuses.deadlines(agency, ids);
    List<InboxItem> out = new ArrayList<>(items.size());
    for (InboxItem i : items) {
      Instant d =
          i.messageId() == null || "safehub".equals(i.sender())
              ? null
              : deadlines.get(UUID.fromString(i.messageId()));
      out.add(d == null ? i : i.withDeadline(d));
    }
    return out;
  }

  /** The cursor a reconnecting stream resumes after, or null (absent or empty: new copies). */
  private static Long lastEventId(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      long v = Long.parseLong(value);
      if (v < -1 || v == Long.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new HubProblem(
          400,
          "invalid-parameter",
          "Invalid header",
          "'Last-Event-ID' is not an inbox cursor.",
          List.of(
              new Violation(
                  "/Last-Event-ID",
                  "range",
                  "must be an integer between -1 and " + (Long.MAX_VALUE - 1))),
          null);
    }
  }

  private InboxItem handOver(String agency, String client, InboxItem item) {
    try {
      fetches.fetched(agency, client, List.of(item));
      return withDeadlines(agency, List.of(item)).get(0);
    } catch (Exception e) {
      throw new IllegalStateException(
          e.getClass().getSimpleName(), null); // the stream ends; the copy is not handed over
    }
  }

  private static HubProblem suspended() {
    return HubProblem.of(
        403, "agency-suspended", "Forbidden", "Your agency is suspended from the hub.");
  }

  private String ownAgency() {
    Caller caller = callers.caller();
    if (agencies.find(caller.agencyId()).isEmpty()) {
      throw HubProblem.of(
          403, "unknown-agency", "Forbidden", "The token's agency is not registered with the hub.");
    }
    try {
      if (agencyStatus.isSuspended(caller.agencyId())) {
        throw suspended();
      }
    } catch (SQLException e) {
      throw HubProblem.unavailable("Agency status is unavailable right now.", 5);
    }
    return caller.agencyId();
  }

  private static Long parse(String value, String name, long min, long max, Long dflt) {
    if (value == null || value.isEmpty()) {
      return dflt;
    }
    try {
      long v = Long.parseLong(value);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new HubProblem(
          400,
          "invalid-parameter",
          "Invalid query parameter",
          "'" + name + "' is out of range or not a number.",
          List.of(
              new Violation(
                  "/" + name, "range", "must be an integer between " + min + " and " + max)),
          null);
    }
  }
}
