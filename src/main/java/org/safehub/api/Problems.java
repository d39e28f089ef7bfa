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
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.safehub.problem.HubProblem;
import org.safehub.validation.Violation;

/**
 * The one place where failures become HTTP answers: every refusal is an RFC 9457 problem document
 * ({@code application/problem+json}) listing each violation with its JSON pointer. Unexpected errors
 * become a content-free 500.
 */
public class Problems {

  public static final String PROBLEM_JSON = "application/problem+json";
  private static final Logger LOG = Logger.getLogger(Problems.class);

  @Inject ObjectMapper mapper;

  @Inject io.micrometer.core.instrument.MeterRegistry metrics;

  @ServerExceptionMapper
  public Response hub(HubProblem p, UriInfo uri) {
    Response.ResponseBuilder r = build(p.status(), p.code(), p.title(), p.getMessage(), uri, p.violations());
    if (p.retryAfterSeconds() != null) {
      r.header("Retry-After", p.retryAfterSeconds());
    }
    return r.build();
  }

  @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class, io.quarkus.security.AuthenticationCompletionException.class})
  public Response unauthenticated(Exception e, UriInfo uri) {
    return build(401, "unauthenticated", "Unauthorized", "A valid bearer token for this hub is required.", uri, java.util.List.of())
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return build(403, "forbidden", "Forbidden", "The caller's roles do not allow this operation.", uri, java.util.List.of()).build();
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
          default -> Response.Status.fromStatusCode(status) == null ? "Request refused." : Response.Status.fromStatusCode(status).getReasonPhrase() + ".";
        };
    String title = Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase();
    return build(status, code, title, detail, uri, java.util.List.of()).build();
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
  public Response unexpected(Throwable t, UriInfo uri) {
    // the exception class only: messages may carry content
    LOG.errorf("unexpected %s on %s", t.getClass().getName(), uri == null ? "?" : uri.getPath());
    return build(500, "internal-error", "Internal error", "The hub could not complete the request.", uri, java.util.List.of()).build();
  }

  private Response.ResponseBuilder build(int status, String code, String title, String detail, UriInfo uri, java.util.List<Violation> violations) {
    metrics.counter("safehub.requests.refused", "problem", code).increment();
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
      for (Violation v : violations) {
        list.addObject().put("pointer", v.pointer()).put("keyword", v.keyword()).put("message", v.message());
      }
    }
    return Response.status(status).type(PROBLEM_JSON).entity(body);
  }
}
