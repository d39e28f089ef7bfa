package org.safehub.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.credential.TokenCredential;
import java.security.Principal;
import java.util.List;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** Claims are read from the OIDC principal's own claims, as the token carries them. */
class TokenClaimsTest {

  private static OidcJwtCallerPrincipal principal(JwtClaims claims) {
    return new OidcJwtCallerPrincipal(claims, new TokenCredential("raw", "bearer"));
  }

  @Test
  void aCustomClaimIsReadAsTheTokenCarriesIt() {
    // Given a token with the hub's agency claim and an authorised party
    JwtClaims claims = new JwtClaims();
    claims.setSubject("service-account-demo-iss");
    claims.setClaim("agency", "demo-iss");
    claims.setClaim("azp", "demo-iss-client");
    OidcJwtCallerPrincipal p = principal(claims);

    // When its claims are read, then each is the token's own value
    assertEquals("demo-iss", TokenClaims.claim(p, "agency"));
    assertEquals("demo-iss", TokenClaims.text(p, "agency"));
    assertEquals("demo-iss-client", TokenClaims.text(p, "azp"));
    // and one the token does not carry is absent
    assertNull(TokenClaims.claim(p, "preferred_username"));
  }

  @Test
  void anAgencyClaimThatIsNotTextReadsAsNoKnownAgency() {
    // Given a token whose agency claim is a list (no agency id looks like this)
    JwtClaims claims = new JwtClaims();
    claims.setClaim("agency", List.of("demo-iss", "demo-cs"));

    // When it is read as text, it is not any one agency's id
    String agency = TokenClaims.text(principal(claims), "agency");
    assertTrue(agency.startsWith("[") && agency.endsWith("]"), agency);
  }

  @Test
  void aPrincipalThatIsNoTokenHasNoClaims() {
    Principal plain = () -> "someone";
    assertNull(TokenClaims.claim(plain, "agency"));
    assertNull(TokenClaims.text(null, "agency"));
  }
}
