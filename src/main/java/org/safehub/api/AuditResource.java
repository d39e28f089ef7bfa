package org.safehub.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.safehub.api.Responses.AuditEventPage;
import org.safehub.api.Responses.AuditEventView;
import org.safehub.api.Responses.CheckpointView;
import org.safehub.api.Responses.ConsistencyProof;
import org.safehub.api.Responses.InclusionProof;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.audit.Checkpoint;
import org.safehub.crypto.HubKeys;
import org.safehub.envelope.LegalBasis;
import org.safehub.identity.CallerResolver;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;

/**
 * The auditor's API (role auditor only): who shared what type with whom, when, on what basis and
 * what was withheld, never content; checkpoints and proofs to verify the log without trusting the
 * hub. Every query is itself audited.
 */
@Path("/api/v1/audit")
@Blocking
@RolesAllowed("auditor")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  @Inject AuditTrail trail;

  @Inject CallerResolver callers;

  @Inject HubKeys hubKeys;

  @Inject ObjectMapper mapper;

  @GET
  @Path("/events")
  public AuditEventPage events(
      @QueryParam("caseRef") String caseRef,
      @QueryParam("agency") String agency,
      @QueryParam("action") String action,
      @QueryParam("legalBasis") String legalBasis,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    // a basis no event can hold matches nothing, as it always has; a known one is passed on by its
    // wire name
    Optional<LegalBasis> basis =
        legalBasis == null || legalBasis.isEmpty() ? Optional.empty() : LegalBasis.find(legalBasis);
    AuditLog.Filter f =
        new AuditLog.Filter(
            caseRef,
            agency,
            action(action),
            basis.map(LegalBasis::wire).orElse(legalBasis),
            instant(from, "from"),
            instant(to, "to"),
            number(after, "after", -1, null),
            limitOf(limit));
    queried("events", caseRef);
    if (legalBasis != null && !legalBasis.isEmpty() && basis.isEmpty()) {
      return new AuditEventPage(List.of(), null);
    }
    return page(log().query(f));
  }

  @GET
  @Path("/shared-without-consent")
  public AuditEventPage sharedWithoutConsent(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    queried("shared-without-consent", null);
    return page(
        log()
            .sharedWithoutConsent(
                instant(from, "from"),
                instant(to, "to"),
                number(after, "after", -1, null),
                limitOf(limit)));
  }

  @GET
  @Path("/checkpoints/latest")
  public CheckpointView latestCheckpoint() {
    queried("checkpoint", null);
    Checkpoint c =
        log()
            .latestCheckpoint()
            .orElseThrow(() -> HubProblem.notFound("No checkpoint has been signed yet."));
    return checkpoint(c);
  }

  @GET
  @Path("/events/{seq}/inclusion")
  public InclusionProof inclusion(
      @PathParam("seq") String seq, @QueryParam("treeSize") String treeSize) {
    long s = number(seq, "seq", 0, null);
    Long size = number(treeSize, "treeSize", 1, null);
    queried("inclusion-proof", null);
    try {
      AuditLog.InclusionProof p =
          log()
              .inclusionProof(
                  s,
                  size == null
                      ? log().latestCheckpoint().map(Checkpoint::treeSize).orElse(log().size())
                      : size);
      return new InclusionProof(
          p.seq(), p.treeSize(), HexFormat.of().formatHex(p.leafHash()), hex(p.path()));
    } catch (IllegalArgumentException e) {
      throw HubProblem.notFound("No such event in a tree of that size.");
    }
  }

  @GET
  @Path("/consistency")
  public ConsistencyProof consistency(
      @QueryParam("from") String from, @QueryParam("to") String to) {
    long oldSize = number(from, "from", 0, 0L);
    Long newSize = number(to, "to", 1, null);
    queried("consistency-proof", null);
    try {
      AuditLog.ConsistencyProof p =
          log().consistencyProof(oldSize, newSize == null ? log().size() : newSize);
      return new ConsistencyProof(p.oldSize(), p.newSize(), hex(p.path()));
    } catch (IllegalArgumentException e) {
      throw HubProblem.notFound("No such pair of tree sizes in this log.");
    }
  }

  /**
   * Events fromSeq..toSeq with the checkpoints that cover them, as JSON Lines for the offline
   * verifier.
   */
  @GET
  @Path("/export")
  @Produces("application/x-ndjson")
  @APIResponse(
      responseCode = "200",
      description = "JSON Lines: the events, then the checkpoints that cover them",
      content =
          @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING)))
  public Response export(@QueryParam("from") String from, @QueryParam("to") String to) {
    long size = log().size();
    if (size == 0) {
      throw HubProblem.notFound("The audit log is empty.");
    }
    long fromSeq = number(from, "from", 0, 0L);
    long toSeq = number(to, "to", 0, size - 1);
    if (fromSeq > toSeq || toSeq >= size) {
      throw new HubProblem(
          400,
          "invalid-parameter",
          "Invalid range",
          "The range must lie within 0.." + (size - 1) + ".",
          List.of(new Violation("/to", "range", "must be at least 'from' and below the log size")),
          null);
    }
    queried("export", null);
    StringWriter buffer = new StringWriter();
    try {
      log().export(fromSeq, toSeq, buffer);
    } catch (IOException e) {
      throw HubProblem.unavailable("The export could not be written.", 5);
    }
    StreamingOutput body =
        out -> {
          OutputStreamWriter w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write(buffer.toString());
          w.flush();
        };
    return Response.ok(body, "application/x-ndjson")
        .header(
            "Content-Disposition",
            "attachment; filename=\"safehub-audit-" + fromSeq + "-" + toSeq + ".jsonl\"")
        .build();
  }

  @GET
  @Path("/public-key")
  @Produces("application/x-pem-file")
  public String publicKey() {
    return hubKeys.verificationKeyPem();
  }

  private AuditLog log() {
    return trail.log();
  }

  private void queried(String what, String caseRef) {
    trail.record(
        List.of(
            AuditEvent.builder(AuditAction.AUDIT_QUERIED, Instant.now())
                .actor(callers.caller().agencyId(), callers.caller().clientId())
                .caseRef(caseRef)
                .detail("query", what)
                .build()));
  }

  // each event as its canonical JSON says it, read strictly: a field this view does not know is an
  // error, not a loss
  AuditEventPage page(AuditLog.Page page) {
    ObjectReader reader =
        mapper
            .readerFor(AuditEventView.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    List<AuditEventView> events = new ArrayList<>(page.events().size());
    for (AuditEvent e : page.events()) {
      try {
        events.add(reader.readValue(e.toJson()));
      } catch (IOException ex) {
        throw new IllegalStateException(ex);
      }
    }
    return new AuditEventPage(events, page.nextAfterSeq());
  }

  CheckpointView checkpoint(Checkpoint c) {
    try {
      return mapper
          .readerFor(CheckpointView.class)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(c.toJson());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HexFormat.of()::formatHex).toList();
  }

  static AuditAction action(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    for (AuditAction a : AuditAction.values()) {
      if (a.wire().equals(value)) {
        return a;
      }
    }
    throw new HubProblem(
        400,
        "invalid-parameter",
        "Invalid query parameter",
        "'action' is not a known audit action.",
        List.of(new Violation("/action", "enum", "must be one of the audit actions")),
        null);
  }

  static Instant instant(String value, String name) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new HubProblem(
          400,
          "invalid-parameter",
          "Invalid query parameter",
          "'" + name + "' must be an ISO-8601 instant.",
          List.of(
              new Violation("/" + name, "format", "must be an instant like 2026-11-23T10:00:00Z")),
          null);
    }
  }

  static int limitOf(String value) {
    return number(value, "limit", 1, 100L).intValue() > AuditLog.MAX_LIMIT
        ? fail("limit", 1, AuditLog.MAX_LIMIT)
        : number(value, "limit", 1, 100L).intValue();
  }

  private static int fail(String name, long min, long max) {
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

  static Long number(String value, String name, long min, Long dflt) {
    if (value == null || value.isEmpty()) {
      return dflt;
    }
    try {
      long v = Long.parseLong(value);
      if (v < min) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      fail(name, min, Long.MAX_VALUE);
      return null;
    }
  }
}
