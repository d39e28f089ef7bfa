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
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.agencies.KafkaAcls;
import org.safehub.api.Responses.AgencyStatusChanged;
import org.safehub.api.Responses.AgencyView;
import org.safehub.api.Responses.Certificate;
import org.safehub.api.Responses.CertificateRevoked;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.crypto.AgencyCertificate;
import org.safehub.crypto.CryptoException;
import org.safehub.delivery.LiveCopies;
import org.safehub.identity.CallerResolver;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.trail.AuditTrail;

/**
 * Operator endpoints (role hub-admin): agency certificates, revocation, suspension and
 * reinstatement.
 */
@Path("/api/v1/admin/agencies")
@Blocking
@RolesAllowed("hub-admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  private static final Logger LOG = Logger.getLogger(AdminResource.class);

  @Inject AgencyDirectory agencies;

  @Inject AgencyKeyDirectory keys;

  @Inject AgencyStatusStore statuses;

  @Inject LiveCopies live;

  @Inject CallerResolver callers;

  @Inject AuditTrail trail;

  @Inject KafkaAcls acls;

  private List<AuditEvent> audit(AuditAction action, String agencyId, String what, String keyId) {
    var b =
        AuditEvent.builder(action, Instant.now())
            .actor(callers.caller().agencyId(), callers.caller().clientId())
            .recipient(agencyId)
            .detail("change", what);
    if (keyId != null) {
      b.detail("keyId", keyId);
    }
    return List.of(b.build());
  }

  /**
   * A change that failed for a reason the caller should hear (a refused certificate); carried out
   * of the transaction.
   */
  private static final class Refused extends RuntimeException {
    Refused(CryptoException cause) {
      super(cause);
    }
  }

  @GET
  public List<AgencyView> list() {
    try {
      var suspended = statuses.suspended();
      var certs = keys.all();
      return agencies.all().stream()
          .map(a -> describe(a, suspended.contains(a.id()), certs.getOrDefault(a.id(), List.of())))
          .toList();
    } catch (SQLException e) {
      throw HubProblem.unavailable("The agency directory is unavailable right now.", 5);
    }
  }

  @GET
  @Path("/{agencyId}")
  public AgencyView get(@PathParam("agencyId") String agencyId) {
    Agency a = agency(agencyId);
    try {
      return describe(a, statuses.isSuspended(a.id()), keys.list(a.id()));
    } catch (SQLException e) {
      throw HubProblem.unavailable("The agency directory is unavailable right now.", 5);
    }
  }

  /**
   * Adds an encryption certificate (PEM, as the body or as {"pem": ...}); malformed, weak or
   * expired ones are refused.
   */
  @POST
  @Path("/{agencyId}/certificates")
  @Consumes({"application/x-pem-file", MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
  @APIResponse(
      responseCode = "201",
      description = "Added",
      content = @Content(schema = @Schema(implementation = Certificate.class)))
  public Response addCertificate(@PathParam("agencyId") String agencyId, byte[] body) {
    Agency a = agency(agencyId);
    String text = new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8);
    if (text.stripLeading().startsWith("{")) {
      try {
        text =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(text).path("pem").asText("");
      } catch (java.io.IOException e) {
        text = "";
      }
    }
    String pem = text;
    String actor = actor();
    AgencyCertificate cert;
    try {
      // the certificate and its audit event commit together, or neither does
      cert =
          trail.decide(
              c -> {
                try {
                  AgencyCertificate added = keys.add(c, a.id(), pem, actor);
                  return new AuditLog.Decided<>(
                      added,
                      audit(AuditAction.CERTIFICATE_CHANGED, a.id(), "added", added.keyId()));
                } catch (CryptoException e) {
                  throw new Refused(e);
                }
              });
    } catch (Refused r) {
      String message = r.getCause().getMessage();
      throw new HubProblem(
          400,
          "invalid-certificate",
          "Certificate refused",
          message,
          List.of(new Violation("", "certificate", message)),
          null);
    } catch (RuntimeException e) {
      throw HubProblem.unavailable("The key directory is unavailable right now.", 5);
    }
    return Response.status(201).entity(certificate(cert, Instant.now())).build();
  }

  @POST
  @Path("/{agencyId}/certificates/{keyId}/revoke")
  public CertificateRevoked revoke(
      @PathParam("agencyId") String agencyId, @PathParam("keyId") String keyId) {
    Agency a = agency(agencyId);
    boolean revoked;
    try {
      // the revocation and its audit event commit together, or neither does
      revoked =
          trail.decide(
              c -> {
                boolean done = keys.revoke(c, a.id(), keyId);
                return new AuditLog.Decided<>(
                    done,
                    done
                        ? audit(AuditAction.CERTIFICATE_CHANGED, a.id(), "revoked", keyId)
                        : List.of());
              });
    } catch (RuntimeException e) {
      throw HubProblem.unavailable("The key directory is unavailable right now.", 5);
    }
    if (!revoked) {
      throw HubProblem.notFound("The agency has no certificate with this key id.");
    }
    return new CertificateRevoked(a.id(), keyId, true);
  }

  @POST
  @Path("/{agencyId}/suspend")
  public AgencyStatusChanged suspend(@PathParam("agencyId") String agencyId) {
    Agency a = agency(agencyId);
    // its Kafka ACLs go before the suspension commits and again after it (an instance reconciling
    // in between could have restored them), so its consumers are refused from now on
    boolean revoked = revokeKafkaAcls(a.id());
    AgencyStatusChanged out = setStatus(agencyId, AgencyStatus.SUSPENDED);
    live.cut(agencyId); // its open live streams end now; other instances end theirs within a second
    revoked = revokeKafkaAcls(a.id()) || revoked;
    if (!revoked) {
      throw HubProblem.unavailable(
          "The agency is suspended, but its Kafka access could not be removed yet: repeat the"
              + " request (the hub also retries).",
          5);
    }
    return out;
  }

  @POST
  @Path("/{agencyId}/reinstate")
  public AgencyStatusChanged reinstate(@PathParam("agencyId") String agencyId) {
    AgencyStatusChanged out = setStatus(agencyId, AgencyStatus.ACTIVE);
    try {
      acls.reconcile(actor());
    } catch (RuntimeException e) {
      // fail closed: the agency reads nothing over Kafka until the periodic reconciliation
      // succeeds
      LOG.warnf(
          "Kafka ACLs of a reinstated agency not restored yet (%s)", e.getClass().getSimpleName());
    }
    return out;
  }

  private boolean revokeKafkaAcls(String agencyId) {
    try {
      acls.revoke(agencyId, actor());
      return true;
    } catch (RuntimeException e) {
      LOG.warnf("Kafka ACLs of a suspended agency not removed (%s)", e.getClass().getSimpleName());
      return false;
    }
  }

  private AgencyStatusChanged setStatus(String agencyId, AgencyStatus status) {
    Agency a = agency(agencyId);
    String actor = actor();
    try {
      // the status and its audit event commit together, or neither does
      trail.decide(
          c -> {
            statuses.set(c, a.id(), status, actor);
            return new AuditLog.Decided<>(
                status,
                audit(
                    AuditAction.AGENCY_CHANGED,
                    a.id(),
                    status == AgencyStatus.SUSPENDED ? "suspended" : "reinstated",
                    null));
          });
    } catch (RuntimeException e) {
      throw HubProblem.unavailable("The agency directory is unavailable right now.", 5);
    }
    return new AgencyStatusChanged(a.id(), status);
  }

  private String actor() {
    return callers.caller().clientId();
  }

  private Agency agency(String agencyId) {
    return agencies
        .find(agencyId)
        .orElseThrow(() -> HubProblem.notFound("No agency with this id is registered."));
  }

  private static AgencyView describe(Agency a, boolean suspended, List<AgencyCertificate> certs) {
    Instant now = Instant.now();
    return new AgencyView(
        a.id(),
        a.name(),
        a.type(),
        a.areas(),
        suspended ? AgencyStatus.SUSPENDED : AgencyStatus.ACTIVE,
        certs.stream().map(c -> certificate(c, now)).toList());
  }

  static Certificate certificate(AgencyCertificate c, Instant now) {
    return new Certificate(
        c.agencyId(),
        c.keyId(),
        c.keyType().name(),
        c.notBefore(),
        c.notAfter(),
        c.revoked(),
        c.usableAt(now));
  }
}
