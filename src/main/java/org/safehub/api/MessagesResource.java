package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.safehub.api.Responses.BatchItemResult;
import org.safehub.api.Responses.BatchPublished;
import org.safehub.api.Responses.MessageAccepted;
import org.safehub.api.Responses.MessageStatus;
import org.safehub.api.Responses.RecipientStatus;
import org.safehub.audit.AuditEvent;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.identity.Caller;
import org.safehub.identity.CallerResolver;
import org.safehub.ingress.BatchBody;
import org.safehub.ingress.PublishService;
import org.safehub.ingress.ReceiptStore;
import org.safehub.policy.ConsentAuthority;
import org.safehub.policy.SafetyGuard;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.routing.Router;
import org.safehub.routing.Via;
import org.safehub.trail.AuditTrail;

/** Publishing messages and, for their sender only, per-recipient delivery status. */
@Path("/api/v1/messages")
@Blocking
public class MessagesResource {

  @Inject PublishService publish;

  @Inject CallerResolver callers;

  @Inject ReceiptStore receipts;

  @Inject DeliveryStatusStore statuses;

  @Inject Router router;

  @Inject io.micrometer.core.instrument.MeterRegistry metrics;

  @Inject BatchBody batches;

  @Inject AuditTrail trail;

  @Inject AbuseLimits limits;

  private static final Logger LOG = Logger.getLogger(MessagesResource.class);

  @POST
  @RolesAllowed("publisher")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @APIResponse(
      responseCode = "202",
      description = "Accepted: durably in Kafka",
      content = @Content(schema = @Schema(implementation = MessageAccepted.class)))
  public Response publish(
      byte[] body, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.HttpHeaders headers) {
    Caller caller = callers.caller();
    requireJson(headers);
    // a suspended sender is refused inside the transaction that would take its message's claim
    PublishService.Accepted accepted = publish.publish(caller, body == null ? new byte[0] : body);
    metrics
        .counter(
            "safehub.messages.accepted",
            "type",
            accepted.type(),
            "replay",
            Boolean.toString(accepted.replay()))
        .increment();
    return Response.accepted(
            new MessageAccepted(accepted.receipt().messageId(), accepted.receipt().receivedAt()))
        .location(URI.create("/api/v1/messages/" + accepted.receipt().messageId() + "/status"))
        .build();
  }

  /**
   * Publishes up to {@code safehub.ingress.max-batch-messages} (500) messages in one request: one
   * token check, one claim transaction and one confirmation transaction for all, each message with
   * its own checks, idempotency, consent, routing and audit. {@code 200} whenever the batch could
   * be read, listing each message's own result in order (202 and its receipt, or its refusal's
   * status and problem document); a batch that cannot be read is refused whole.
   */
  @POST
  @Path("/batch")
  @RolesAllowed("publisher")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @APIResponse(
      responseCode = "200",
      description = "The batch was read: each message's own result, in order",
      content = @Content(schema = @Schema(implementation = BatchPublished.class)))
  public BatchPublished publishBatch(
      byte[] body, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.HttpHeaders headers) {
    Caller caller = callers.caller();
    requireJson(headers);
    List<byte[]> items =
        batches.split(body == null ? new byte[0] : body).stream()
            .map(BatchBody.Item::body)
            .toList();
    // each message counts against the agency's rate, as if published alone
    limits.chargeBatch(caller.agencyId(), items.size() - 1);
    List<PublishService.Outcome> outcomes = publish.publishBatch(caller, items);
    List<BatchItemResult> results = new ArrayList<>(outcomes.size());
    List<AuditEvent> refusals = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      PublishService.Outcome o = outcomes.get(i);
      if (o.accepted() != null) {
        accepted++;
        metrics
            .counter(
                "safehub.messages.accepted",
                "type",
                o.accepted().type(),
                "replay",
                Boolean.toString(o.accepted().replay()))
            .increment();
        results.add(
            new BatchItemResult(
                i,
                202,
                o.accepted().receipt().messageId(),
                o.accepted().receipt().receivedAt(),
                null));
      } else {
        HubProblem p = o.refused();
        metrics.counter("safehub.requests.refused", "problem", p.code()).increment();
        refusals.add(Problems.batchItemRefused(caller, p, i));
        results.add(
            new BatchItemResult(
                i, p.status(), null, null, Problems.document(p, "/api/v1/messages/batch")));
      }
    }
    if (!refusals.isEmpty()) {
      // every refused message is audited, all in one transaction
      try {
        trail.record(refusals);
      } catch (RuntimeException e) {
        LOG.errorf("audit events of %d refused batch messages not recorded", refusals.size());
      }
    }
    return new BatchPublished(accepted, outcomes.size() - accepted, results);
  }

  @GET
  @Path("/{messageId}/status")
  @RolesAllowed("publisher")
  @Produces(MediaType.APPLICATION_JSON)
  public MessageStatus status(@PathParam("messageId") String messageId) {
    Caller caller = callers.caller();
    UUID id = parseId(messageId);
    try {
      ReceiptStore.Stored receipt = receipts.find(id).orElse(null);
      if (receipt == null || !receipt.sender().equals(caller.agencyId())) {
        // another agency's message looks exactly like a message that does not exist
        throw HubProblem.notFound("No message with this id was sent by your agency.");
      }
      // a programme's status shows nothing of the message's case: no recipient chosen as a
      // member (not even one that has left the case since); one it named itself, or that its
      // subscription chose, shows as for any message, member or not, so the status tells it
      // nothing of who is on the case (its pending rows never hold a member chosen by the case)
      boolean programme =
          router
              .agencies()
              .find(caller.agencyId())
              .map(a -> SafetyGuard.PERPETRATOR_PROGRAMME.equals(a.type()))
              .orElse(true);
      List<DeliveryStatusStore.RecipientState> states =
          statuses.status(id).stream()
              .filter(s -> !(programme && Via.CASE.equals(s.via())))
              .toList();
      // any basis but consent (or none recorded) is a share without consent, and is recorded as
      // such
      boolean withoutConsent = receipt.legalBasis() == null || !receipt.legalBasis().isConsent();
      // no consent oracle: on a consent-based message (the only kind a consent reason can appear
      // on) a sender that
      // may not learn a victim's or child's consent sees one reason for every withheld copy, so
      // that no reason,
      // consent or other, tells it anything by difference (an unknown agency: the same)
      boolean reasons =
          withoutConsent
              || router
                  .agencies()
                  .find(caller.agencyId())
                  .map(a -> ConsentAuthority.maySeeWithholdReasons(a.type()))
                  .orElse(false);
      List<RecipientStatus> recipients =
          states.stream()
              .map(
                  s ->
                      new RecipientStatus(
                          s.recipient(),
                          s.state(),
                          s.reason() == null
                              ? null
                              : reasons ? s.reason().wire() : ConsentAuthority.NOT_SHARED,
                          s.updatedAt(),
                          s.deadline(),
                          s.acknowledgedLate(),
                          s.via() == null ? null : s.via().wire()))
              .toList();
      return new MessageStatus(
          id,
          receipt.type(),
          receipt.sender(),
          receipt.receivedAt(),
          receipt.legalBasis(),
          withoutConsent,
          recipients);
    } catch (SQLException e) {
      throw HubProblem.unavailable("Delivery status is unavailable right now.", 5);
    }
  }

  /** Exactly one Content-Type, application/json, and UTF-8 if a charset is named (RFC 8259). */
  private static void requireJson(jakarta.ws.rs.core.HttpHeaders headers) {
    List<String> types = headers.getRequestHeader(jakarta.ws.rs.core.HttpHeaders.CONTENT_TYPE);
    boolean ok = false;
    if (types != null && types.size() == 1) {
      try {
        MediaType t = MediaType.valueOf(types.get(0));
        String charset = t.getParameters().get("charset");
        ok =
            "application".equalsIgnoreCase(t.getType())
                && "json".equalsIgnoreCase(t.getSubtype())
                && (charset == null || charset.equalsIgnoreCase("utf-8"))
                && t.getParameters().keySet().stream().allMatch("charset"::equalsIgnoreCase);
      } catch (IllegalArgumentException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw HubProblem.of(
          415,
          "unsupported-media-type",
          "Unsupported Media Type",
          "Send the message as application/json (UTF-8).");
    }
  }

  static UUID parseId(String messageId) {
    try {
      if (messageId.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(messageId);
    } catch (IllegalArgumentException e) {
      throw new HubProblem(
          400,
          "invalid-message-id",
          "Invalid message id",
          "The message id must be a UUID.",
          List.of(new Violation("/messageId", "format", "must be a UUID")),
          null);
    }
  }
}
