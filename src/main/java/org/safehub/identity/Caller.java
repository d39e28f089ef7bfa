package org.safehub.identity;

import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller: the agency named by the token's {@code agency} claim, the OAuth client
 * and the realm roles. The hub never takes an agency id from a message body.
 */
public record Caller(String agencyId, String clientId, Set<String> roles) {
  public Caller {
    Objects.requireNonNull(agencyId, "agencyId");
    Objects.requireNonNull(clientId, "clientId");
    roles = Set.copyOf(roles);
  }
}
