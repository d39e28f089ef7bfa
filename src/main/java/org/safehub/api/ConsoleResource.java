package org.safehub.api;

import io.quarkus.oidc.OidcConfigurationMetadata;
import io.quarkus.oidc.OidcSession;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.safehub.audit.AuditAction;
import org.safehub.envelope.LegalBasis;
import org.safehub.problem.HubProblem;

/**
 * The auditor console's pages: served by the hub itself (no asset from elsewhere, no inline script
 * or style; the Content-Security-Policy is set for every path under {@code /auditor}), each for a
 * person signed in through Keycloak with the {@code auditor} realm role; anyone else signed in gets
 * a plain 403 page. Sign-out is a POST carrying the session's CSRF token.
 */
@Path("/auditor")
@Blocking
public class ConsoleResource {

  static final String CSRF_HEADER = "X-CSRF-Token";

  @Inject ConsoleSession session;

  @Inject OidcSession oidc;

  @Inject OidcConfigurationMetadata provider;

  @GET
  @Path("/")
  @Produces(MediaType.TEXT_HTML)
  public Response search() {
    return page("search.html", "Search the audit log");
  }

  @GET
  @Path("/without-consent")
  @Produces(MediaType.TEXT_HTML)
  public Response withoutConsent() {
    return page("without-consent.html", "Shared without consent");
  }

  @GET
  @Path("/response-times")
  @Produces(MediaType.TEXT_HTML)
  public Response responseTimes() {
    return page("response-times.html", "Response times");
  }

  /** Where Keycloak sends the browser back after sign-out; needs no session. */
  @GET
  @Path("/signed-out")
  @Produces(MediaType.TEXT_HTML)
  public Response signedOut() {
    return Response.ok(render("signed-out.html", Map.of("title", "Signed out"))).build();
  }

  /**
   * Ends the session: the hub's session cookie is removed and the answer names Keycloak's
   * end-session address (with the ID token as a hint), which the page then opens, so the single
   * sign-on session ends too. Refused (403, audited) without this session's CSRF token.
   */
  @POST
  @Path("/sign-out")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> signOut(@HeaderParam(CSRF_HEADER) String csrf, UriInfo uri) {
    if (!session.csrfMatches(csrf)) {
      throw HubProblem.of(
          403,
          "csrf-token-invalid",
          "Forbidden",
          "The request did not carry this session's CSRF token.");
    }
    String idToken = session.rawIdToken();
    oidc.logout().await().indefinitely();
    String back = uri.getBaseUri().resolve("/auditor/signed-out").toString();
    String end = provider.getEndSessionUri();
    if (end == null) {
      return Map.of("location", back);
    }
    return Map.of(
        "location",
        end
            + "?client_id="
            + enc(ConsoleSession.CLIENT)
            + "&id_token_hint="
            + enc(idToken)
            + "&post_logout_redirect_uri="
            + enc(back));
  }

  private Response page(String file, String title) {
    if (!session.auditor()) {
      session.refused(AuditAction.FORBIDDEN, "not-auditor");
      return Response.status(403)
          .type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
          .entity(
              render(
                  "forbidden.html",
                  Map.of(
                      "title", "Not an auditor",
                      "person", session.person(),
                      "csrf", session.csrfToken())))
          .build();
    }
    return Response.ok(
            render(
                file,
                Map.of(
                    "title",
                    title,
                    "person",
                    session.person(),
                    "csrf",
                    session.csrfToken(),
                    "actions",
                    options(Arrays.stream(AuditAction.values()).map(AuditAction::wire).toList()),
                    "bases",
                    options(Arrays.stream(LegalBasis.values()).map(LegalBasis::wire).toList()))))
        .type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
        .build();
  }

  /** A page from {@code console/}, its {@code {{name}}} placeholders filled in, HTML-escaped. */
  static String render(String file, Map<String, String> values) {
    String html;
    try (InputStream in =
        ConsoleResource.class.getClassLoader().getResourceAsStream("console/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing console page " + file);
      }
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, String> v : values.entrySet()) {
      String value =
          v.getKey().equals("actions") || v.getKey().equals("bases")
              ? v.getValue()
              : escape(v.getValue());
      html = html.replace("{{" + v.getKey() + "}}", value);
    }
    return html;
  }

  private static String options(List<String> values) {
    return values.stream()
        .map(v -> "<option value=\"" + escape(v) + "\">" + escape(v) + "</option>")
        .collect(Collectors.joining());
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
