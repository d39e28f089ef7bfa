package org.safehub.identity;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import java.security.Principal;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Reads a claim of the verified bearer token. smallrye-jwt's {@code getClaim(String)} first looks
 * the name up in MicroProfile JWT's list of standard claims and, for any other name (such as {@code
 * agency}), makes and catches an exception with its whole stack trace: on every request, on the
 * event loop. The OIDC principal's own claims are read directly instead.
 */
public final class TokenClaims {

  private TokenClaims() {}

  /** The claim {@code name} of {@code principal}'s token, null if it has none or is no token. */
  public static Object claim(Principal principal, String name) {
    if (principal instanceof OidcJwtCallerPrincipal oidc) {
      return oidc.getClaims().getClaimValue(name);
    }
    if (principal instanceof JsonWebToken jwt) {
      return jwt.getClaim(name);
    }
    return null;
  }

  /** The claim as text without JSON quotes, null if absent. */
  public static String text(Principal principal, String name) {
    Object v = claim(principal, name);
    return v == null ? null : v.toString().replace("\"", "");
  }
}
