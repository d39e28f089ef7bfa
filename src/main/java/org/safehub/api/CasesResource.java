package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.api.Responses.CaseMember;
import org.safehub.api.Responses.CaseView;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseRequests;
import org.safehub.cases.Cases;
import org.safehub.identity.Caller;
import org.safehub.identity.CallerResolver;
import org.safehub.problem.HubProblem;
import org.safehub.validation.StrictJson;

/**
 * Cases (issue 12): open one, read it, manage its members, close and reopen it. A case exists only
 * for its members: to anyone else every path answers {@code 404}, as for a caseRef never used.
 */
@Path("/api/v1/cases")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class CasesResource {

  @Inject Cases cases;

  @Inject CallerResolver callers;

  @Inject AgencyDirectory agencies;

  @Inject AgencyStatusStore statuses;

  @Inject StrictJson json;

  @POST
  @RolesAllowed("publisher")
  @Consumes(MediaType.WILDCARD)
  @APIResponse(
      responseCode = "201",
      description = "Opened",
      content = @Content(schema = @Schema(implementation = CaseView.class)))
  public Response open(byte[] body) {
    Caller caller = active();
    cases.mayOpen(caller); // before the body: its checks name agencies and their types
    CaseFile file = cases.open(caller, CaseRequests.newCase(json, body, agencies));
    return Response.created(URI.create("/api/v1/cases/" + file.caseRef()))
        .entity(view(cases.view(caller, file.caseRef())))
        .build();
  }

  @GET
  @Path("/{caseRef}")
  @RolesAllowed({"publisher", "subscriber"})
  public CaseView get(@PathParam("caseRef") String caseRef) {
    Caller caller = active();
    return view(cases.view(caller, wellFormed(caseRef)));
  }

  @POST
  @Path("/{caseRef}/members")
  @RolesAllowed("publisher")
  @Consumes(MediaType.WILDCARD)
  public CaseView addMember(@PathParam("caseRef") String caseRef, byte[] body) {
    Caller caller = active();
    String ref = wellFormed(caseRef);
    CaseRequests.Member m = CaseRequests.member(json, body);
    return view(cases.addMember(caller, ref, m.agency(), m.role()));
  }

  @DELETE
  @Path("/{caseRef}/members/{agency}")
  @RolesAllowed("publisher")
  public CaseView removeMember(
      @PathParam("caseRef") String caseRef, @PathParam("agency") String agency) {
    Caller caller = active();
    String ref = wellFormed(caseRef);
    if (!CaseRequests.wellFormedAgency(agency)) {
      throw HubProblem.notFound("The agency is not a member of this case.");
    }
    return view(cases.removeMember(caller, ref, agency));
  }

  @POST
  @Path("/{caseRef}/close")
  @RolesAllowed("publisher")
  public CaseView close(@PathParam("caseRef") String caseRef) {
    return view(cases.close(active(), wellFormed(caseRef)));
  }

  @POST
  @Path("/{caseRef}/reopen")
  @RolesAllowed("publisher")
  public CaseView reopen(@PathParam("caseRef") String caseRef) {
    return view(cases.reopen(active(), wellFormed(caseRef)));
  }

  /** A caseRef that could not be one is no case: the same 404 as any other. */
  private static String wellFormed(String caseRef) {
    if (!CaseRequests.wellFormedCaseRef(caseRef)) {
      throw Cases.notFound();
    }
    return caseRef;
  }

  /** The caller, whose agency must not be suspended. */
  private Caller active() {
    Caller caller = callers.caller();
    try {
      if (statuses.isSuspended(caller.agencyId())) {
        throw HubProblem.of(
            403, "agency-suspended", "Forbidden", "Your agency is suspended from the hub.");
      }
    } catch (SQLException e) {
      throw HubProblem.unavailable("The agency directory is unavailable right now.", 5);
    }
    return caller;
  }

  private static CaseView view(CaseFile f) {
    return new CaseView(
        f.caseRef(),
        f.area(),
        f.status(),
        f.members().entrySet().stream().map(e -> new CaseMember(e.getKey(), e.getValue())).toList(),
        f.openedAt(),
        f.updatedAt());
  }
}
