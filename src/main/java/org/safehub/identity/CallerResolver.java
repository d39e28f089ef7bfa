package org.safehub.identity;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Reads the caller from the verified bearer token; a token without an agency claim is refused. */
@RequestScoped
public class CallerResolver {

  private SecurityIdentity identity;

  @Inject
  public CallerResolver(SecurityIdentity identity) {
    this.identity = identity;
  }

  /** For the client proxy only. */
  protected CallerResolver() {}

  public Caller caller() {
    String agencyId = TokenClaims.text(identity.getPrincipal(), "agency");
    if (agencyId == null || agencyId.isBlank()) {
      throw new ForbiddenException("token carries no agency");
    }
    Object azp = TokenClaims.claim(identity.getPrincipal(), "azp");
    String client = azp == null ? identity.getPrincipal().getName() : azp.toString();
    return new Caller(agencyId, client == null ? agencyId : client, identity.getRoles());
  }
}
