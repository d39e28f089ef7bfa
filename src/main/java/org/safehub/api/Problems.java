package org.safehub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.identity.Caller;
import org.safehub.identity.TokenClaims;
import org.safehub.limits.RefusalLedger;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;
import org.safehub.trail.RefusalAudits;

/**
 * The one place where failures become HTTP answers: every refusal is an RFC 9457 problem document
 * ({@code application/problem+json}) listing each violation with its JSON pointer. Unexpected
 * errors become a content-free 500.
 */
public class Problems {

  public static final String PROBLEM_JSON = "application/problem+json";

  /** A refusal lists at most this many violations (and says how many more), so it stays small. */
  static final int MAX_VIOLATIONS = 100;

  private static final Logger LOG = Logger.getLogger(Problems.class);

  @Inject ObjectMapper mapper;

  @Inject io.micrometer.core.instrument.MeterRegistry metrics;

  @Inject AuditTrail trail;

  @Inject RefusalAudits refusalAudits;

  @Inject io.quarkus.security.identity.SecurityIdentity identity;

  @Inject io.vertx.core.http.HttpServerRequest request;

  @Inject AbuseLimits limits;

  @ServerExceptionMapper
  public Response hub(HubProblem p, UriInfo uri) {
    Response.ResponseBuilder r =
        build(p.status(), p.code(), p.title(), p.getMessage(), uri, p.violations());
    if (p.retryAfterSeconds() != null) {
      r.header("Retry-After", p.retryAfterSeconds());
    }
    return r.build();
  }

  @ServerExceptionMapper({
    UnauthorizedException.class,
    AuthenticationFailedException.class,
    io.quarkus.security.AuthenticationCompletionException.class
  })
  public Response unauthenticated(Exception e, UriInfo uri) {
    return build(
            401,
            "unauthenticated",
            "Unauthorized",
            "A valid bearer token for this hub is required.",
            uri,
            java.util.List.of())
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return build(
            403,
            "forbidden",
            "Forbidden",
            "The caller's roles do not allow this operation.",
            uri,
            java.util.List.of())
        .build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    String code =
        switch (status) {
          case 404 -> "not-found";
          case 405 -> "method-not-allowed";
          case 406 -> "not-acceptable";
          case 415 -> "unsupported-media-type";
          case 413 -> "payload-too-large";
          default -> "http-" + status;
        };
    String detail =
        switch (status) {
          case 415 -> "Send the message as application/json.";
          case 404 -> "No such resource.";
          case 405 -> "This method is not allowed here.";
          default ->
              Response.Status.fromStatusCode(status) == null
                  ? "Request refused."
                  : Response.Status.fromStatusCode(status).getReasonPhrase() + ".";
        };
    String title =
        Response.Status.fromStatusCode(status) == null
            ? "Error"
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    return build(status, code, title, detail, uri, java.util.List.of()).build();
  }

  /**
   * The client broke the body off or framed it wrongly: its problem, not ours, and no error log.
   */
  @ServerExceptionMapper
  public Response unreadableBody(java.io.IOException e, UriInfo uri) {
    return build(
            400,
            "unreadable-body",
            "Bad Request",
            "The request body could not be read.",
            uri,
            java.util.List.of())
        .build();
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
  public Response unexpected(Throwable t, UriInfo uri) {
    // the exception class only: messages may carry content
    LOG.errorf("unexpected %s on %s", t.getClass().getName(), uri == null ? "?" : uri.getPath());
    return build(
            500,
            "internal-error",
            "Internal error",
            "The hub could not complete the request.",
            uri,
            java.util.List.of())
        .build();
  }

  /**
   * Every refusal is recorded: who (if known), what was asked (method and path pattern), and the
   * problem code.
   */
  private void audit(int status, String code, UriInfo uri) {
    String path = uri == null ? "" : uri.getPath();
    boolean console = path.startsWith("/auditor/api/");
    if (!path.startsWith("/api/") && !console) {
      return;
    }
    String method = request == null ? "" : request.method().name();
    AuditAction action;
    if (status == 401) {
      action = AuditAction.AUTH_DENIED;
    } else if (status == 403) {
      action = AuditAction.FORBIDDEN;
    } else if ("POST".equals(method)
        && (path.equals("/api/v1/messages") || path.equals("/api/v1/messages/batch"))) {
      action = AuditAction.PUBLISH_REJECTED;
    } else {
      action = AuditAction.REQUEST_REFUSED;
    }
    String agency = null;
    String client = null;
    String person = null;
    try {
      if (identity != null
          && !identity.isAnonymous()
          && identity.getPrincipal() instanceof org.eclipse.microprofile.jwt.JsonWebToken jwt) {
        agency = TokenClaims.text(jwt, "agency");
        client = TokenClaims.text(jwt, "azp");
        // the auditor console's refusals name the signed-in person (ConsoleSession)
        Object name = console ? jwt.getClaim("preferred_username") : null;
        person = name == null ? null : name.toString().replace("\"", "");
      }
    } catch (RuntimeException e) {
      // no identity for this request
    }
    // under a flood (no valid token, or over the agency's rate), past a threshold per caller and
    // window
    // one aggregated event with a count stands for the rest
    if (!limits.auditOneByOne(
        AbuseLimits.ledgerKey(agency, status, request),
        new RefusalLedger.Kind(action, code, status))) {
      return;
    }
    AuditEvent.Builder builder =
        AuditEvent.builder(action, java.time.Instant.now())
            .actor(agency, client)
            .reason(code)
            .detail("status", Integer.toString(status))
            .detail("method", method)
            .detail("endpoint", endpoint(path));
    if (person != null && person.length() <= AuditEvent.MAX_TEXT) {
      builder.detail("person", person);
    }
    AuditEvent event = builder.build();
    if (io.vertx.core.Context.isOnEventLoopThread()) {
      // a refusal made before any resource ran (a token refused, a rate limit) is answered on the
      // event loop: its event is queued and written in a batch by one thread (RefusalAudits)
      refusalAudits.offer(event);
    } else {
      trail.recordQuietly(event);
    }
  }

  /**
   * The problem document of one refused message of a batch: the same fields as a refused single
   * publish's body.
   */
  static Responses.ProblemDocument document(HubProblem p, String instance) {
    List<Violation> violations = p.violations();
    return new Responses.ProblemDocument(
        "urn:safehub:problem:" + p.code(),
        p.title(),
        p.status(),
        p.getMessage(),
        instance,
        violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)).stream()
            .map(v -> new Responses.ProblemViolation(v.pointer(), v.keyword(), v.message()))
            .toList(),
        violations.size() > MAX_VIOLATIONS ? violations.size() - MAX_VIOLATIONS : null,
        p.retryAfterSeconds());
  }

  /**
   * The audit event of one refused message of a batch (the batch itself was not refused): who, the
   * problem code and the message's place in the batch, no content.
   */
  static AuditEvent batchItemRefused(Caller caller, HubProblem p, int index) {
    return AuditEvent.builder(
            p.status() == 403 ? AuditAction.FORBIDDEN : AuditAction.PUBLISH_REJECTED,
            java.time.Instant.now())
        .actor(caller.agencyId(), caller.clientId())
        .reason(p.code())
        .detail("status", Integer.toString(p.status()))
        .detail("method", "POST")
        .detail("endpoint", "/api/v1/messages/batch")
        .detail("batchIndex", Integer.toString(index))
        .build();
  }

  // the path with ids replaced, so the audit record holds no caller-chosen text
  private static String endpoint(String path) {
    String p =
        path.replaceAll(
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                "{id}")
            // a caseRef or agency probed by a caller is the caller's text, not the hub's
            .replaceAll("^/api/v1/cases/[^/]+", "/api/v1/cases/{caseRef}")
            .replaceAll("^(/api/v1/cases/\\{caseRef}/members)/[^/]+$", "$1/{agency}");
    return p.length() > 120 || !p.matches("[A-Za-z0-9/{}._-]*") ? "(unprintable path)" : p;
  }

  private Response.ResponseBuilder build(
      int status,
      String code,
      String title,
      String detail,
      UriInfo uri,
      java.util.List<Violation> violations) {
    metrics.counter("safehub.requests.refused", "problem", code).increment();
    audit(status, code, uri);
    ObjectNode body = mapper.createObjectNode();
    body.put("type", "urn:safehub:problem:" + code);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    if (uri != null) {
      body.put("instance", uri.getPath());
    }
    if (!violations.isEmpty()) {
      ArrayNode list = body.putArray("violations");
      if (violations.size() > MAX_VIOLATIONS) {
        body.put("violationsOmitted", violations.size() - MAX_VIOLATIONS);
      }
      for (Violation v : violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS))) {
        list.addObject()
            .put("pointer", v.pointer())
            .put("keyword", v.keyword())
            .put("message", v.message());
      }
    }
    return Response.status(status).type(PROBLEM_JSON).entity(body);
  }
}
