package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.safehub.api.Responses.AuditEventPage;
import org.safehub.api.Responses.CheckpointView;
import org.safehub.api.Responses.InclusionProof;
import org.safehub.api.Responses.ResponseTimesReport;
import org.safehub.audit.AuditLog;
import org.safehub.audit.Checkpoint;
import org.safehub.crypto.HubKeys;
import org.safehub.delivery.ResponseTimes;
import org.safehub.envelope.LegalBasis;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;

/**
 * The auditor console's data, for the signed-in person's session only (cookie of the OIDC tenant
 * {@code console}; a bearer token is not accepted here): the same queries as {@link AuditResource},
 * read with the same parameters from the same log, each recorded as an audit event naming the
 * person. Searches come newest first ({@code before} = the previous page's {@code nextAfter}).
 */
@Path("/auditor/api")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleApi {

  @Inject ConsoleSession session;

  @Inject AuditTrail trail;

  @Inject AuditResource api;

  @Inject HubKeys hubKeys;

  @Inject ResponseTimes responseTimes;

  @Inject Clock clock;

  @GET
  @Path("/events")
  public AuditEventPage events(
      @QueryParam("caseRef") String caseRef,
      @QueryParam("agency") String agency,
      @QueryParam("action") String action,
      @QueryParam("legalBasis") String legalBasis,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("before") String before,
      @QueryParam("limit") String limit) {
    requireAuditor();
    Optional<LegalBasis> basis =
        legalBasis == null || legalBasis.isEmpty() ? Optional.empty() : LegalBasis.find(legalBasis);
    AuditLog.Filter f =
        new AuditLog.Filter(
            blankToNull(caseRef),
            blankToNull(agency),
            AuditResource.action(action),
            basis.map(LegalBasis::wire).orElse(blankToNull(legalBasis)),
            AuditResource.instant(from, "from"),
            AuditResource.instant(to, "to"),
            AuditResource.number(before, "before", 0, null),
            AuditResource.limitOf(limit));
    session.queried("events", blankToNull(caseRef));
    if (legalBasis != null && !legalBasis.isEmpty() && basis.isEmpty()) {
      return new AuditEventPage(List.of(), null);
    }
    return api.page(trail.log().queryNewestFirst(f));
  }

  @GET
  @Path("/shared-without-consent")
  public AuditEventPage sharedWithoutConsent(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    requireAuditor();
    session.queried("shared-without-consent", null);
    return api.page(
        trail
            .log()
            .sharedWithoutConsent(
                AuditResource.instant(from, "from"),
                AuditResource.instant(to, "to"),
                AuditResource.number(after, "after", -1, null),
                AuditResource.limitOf(limit)));
  }

  @GET
  @Path("/checkpoint")
  public CheckpointView latestCheckpoint() {
    requireAuditor();
    session.queried("checkpoint", null);
    return api.checkpoint(
        trail
            .log()
            .latestCheckpoint()
            .orElseThrow(() -> HubProblem.notFound("No checkpoint has been signed yet.")));
  }

  @GET
  @Path("/events/{seq}/inclusion")
  public InclusionProof inclusion(
      @PathParam("seq") String seq, @QueryParam("treeSize") String treeSize) {
    requireAuditor();
    long s = AuditResource.number(seq, "seq", 0, null);
    Long size = AuditResource.number(treeSize, "treeSize", 1, null);
    session.queried("inclusion-proof", null);
    AuditLog log = trail.log();
    try {
      AuditLog.InclusionProof p =
          log.inclusionProof(
              s,
              size == null
                  ? log.latestCheckpoint().map(Checkpoint::treeSize).orElse(log.size())
                  : size);
      return new InclusionProof(
          p.seq(),
          p.treeSize(),
          HexFormat.of().formatHex(p.leafHash()),
          AuditResource.hex(p.path()));
    } catch (IllegalArgumentException e) {
      throw HubProblem.notFound("No such event in a tree of that size.");
    }
  }

  /** The whole log (or a range) as JSON Lines for the offline verifier, as a download. */
  @GET
  @Path("/export")
  @Produces("application/x-ndjson")
  public Response export(@QueryParam("from") String from, @QueryParam("to") String to) {
    requireAuditor();
    AuditLog log = trail.log();
    long size = log.size();
    if (size == 0) {
      throw HubProblem.notFound("The audit log is empty.");
    }
    long fromSeq = AuditResource.number(from, "from", 0, 0L);
    long toSeq = AuditResource.number(to, "to", 0, size - 1);
    if (fromSeq > toSeq || toSeq >= size) {
      throw new HubProblem(
          400,
          "invalid-parameter",
          "Invalid range",
          "The range must lie within 0.." + (size - 1) + ".",
          List.of(new Violation("/to", "range", "must be at least 'from' and below the log size")),
          null);
    }
    session.queried("export", null);
    StringWriter buffer = new StringWriter();
    try {
      log.export(fromSeq, toSeq, buffer);
    } catch (IOException e) {
      throw HubProblem.unavailable("The export could not be written.", 5);
    }
    return Response.ok(buffer.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson")
        .header(
            "Content-Disposition",
            "attachment; filename=\"safehub-audit-" + fromSeq + "-" + toSeq + ".jsonl\"")
        .build();
  }

  /** The key checkpoints are signed with (PEM), for pinning in the browser and offline. */
  @GET
  @Path("/public-key")
  @Produces("application/x-pem-file")
  public Response publicKey() {
    requireAuditor();
    return Response.ok(hubKeys.verificationKeyPem())
        .header("Content-Disposition", "attachment; filename=\"safehub-audit-public-key.pem\"")
        .build();
  }

  /**
   * How fast each agency acknowledges: what {@code GET /api/v1/audit/response-times} answers for
   * the same parameters (same validation, same figures), audited naming the person.
   */
  @GET
  @Path("/response-times")
  public ResponseTimesReport responseTimes(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("agency") String agency,
      @QueryParam("type") String type) {
    requireAuditor();
    return ResponseTimesResource.report(
        responseTimes,
        clock,
        from,
        to,
        agency,
        type,
        () -> session.queried("response-times", null));
  }

  private void requireAuditor() {
    if (!session.auditor()) {
      // answered as a problem document and audited, naming the person, by Problems
      throw HubProblem.of(
          403,
          "forbidden",
          "Forbidden",
          "Only a person with the auditor role may use the audit console.");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
