package org.safehub.api;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.safehub.api.Responses.Certificate;
import org.safehub.crypto.HubKeys;
import org.safehub.identity.CallerResolver;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.problem.HubProblem;

/**
 * Public keys an agency needs: the hub's signing certificate, and its own registered certificates
 * (never another agency's).
 */
@Path("/api/v1/keys")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {

  @Inject HubKeys hubKeys;

  @Inject AgencyKeyDirectory keys;

  @Inject CallerResolver callers;

  @GET
  @Path("/hub")
  @RolesAllowed({"publisher", "subscriber", "auditor", "hub-admin"})
  public Responses.HubKeys hub() {
    return new Responses.HubKeys(hubKeys.signingCertificatePem(), hubKeys.verificationKeyPem());
  }

  @GET
  @Path("/own")
  @RolesAllowed("subscriber")
  public List<Certificate> own() {
    try {
      Instant now = Instant.now();
      return keys.list(callers.caller().agencyId()).stream()
          .map(c -> AdminResource.certificate(c, now))
          .toList();
    } catch (SQLException e) {
      throw HubProblem.unavailable("The key directory is unavailable right now.", 5);
    }
  }
}
