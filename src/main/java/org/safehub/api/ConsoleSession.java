package org.safehub.api;

import io.quarkus.oidc.IdToken;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.trail.AuditTrail;

/**
 * The person signed in to the auditor console (OIDC tenant {@code console}, a session cookie, never
 * a pasted token): who they are (the ID token's {@code preferred_username}, else its {@code name}),
 * whether they hold the realm role {@code auditor}, their CSRF token, and the audit events that
 * name them.
 */
@RequestScoped
public class ConsoleSession {

  static final String ROLE = "auditor";
  static final String CLIENT = "safehub-console";

  @Inject SecurityIdentity identity;

  @Inject @IdToken JsonWebToken idToken;

  @Inject AuditTrail trail;

  @ConfigProperty(name = "quarkus.oidc.console.credentials.secret")
  String clientSecret;

  private byte[] csrfKey() {
    // every instance of the hub shares the client secret, so a token made by one checks on another
    return sha256("safehub-console-csrf\n" + clientSecret);
  }

  boolean signedIn() {
    return identity != null && !identity.isAnonymous();
  }

  boolean auditor() {
    return signedIn() && identity.hasRole(ROLE);
  }

  /** The person's name as the audit log records it. */
  String person() {
    for (String claim : List.of("preferred_username", "name", "sub")) {
      Object v = idToken.getClaim(claim);
      if (v != null && !v.toString().isBlank()) {
        String s = v.toString().replace("\"", "");
        return s.length() > AuditEvent.MAX_TEXT ? s.substring(0, AuditEvent.MAX_TEXT) : s;
      }
    }
    return identity.getPrincipal().getName();
  }

  /** The raw ID token, for the identity provider's end-session endpoint. */
  String rawIdToken() {
    return idToken.getRawToken();
  }

  /**
   * This session's CSRF token: an HMAC of the person's subject and Keycloak session id, so it
   * changes with every sign-in and no other site can know it.
   */
  String csrfToken() {
    Object sid = idToken.getClaim("sid");
    String binding = idToken.getSubject() + "\n" + (sid == null ? idToken.getIssuedAtTime() : sid);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(csrfKey(), "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(binding.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }

  /** Whether {@code presented} is this session's CSRF token (compared in constant time). */
  boolean csrfMatches(String presented) {
    return presented != null
        && MessageDigest.isEqual(
            csrfToken().getBytes(StandardCharsets.US_ASCII),
            presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Records a console query as an audit event naming the person; throws if it cannot be. */
  void queried(String what, String caseRef) {
    trail.record(
        List.of(
            AuditEvent.builder(AuditAction.AUDIT_QUERIED, Instant.now())
                .actor(null, CLIENT)
                .caseRef(caseRef)
                .detail("query", what)
                .detail("via", "console")
                .detail("person", person())
                .build()));
  }

  /** Records a console refusal (no auditor role, or a failed CSRF check) naming the person. */
  void refused(AuditAction action, String why) {
    trail.recordQuietly(
        AuditEvent.builder(action, Instant.now())
            .actor(null, CLIENT)
            .reason(why)
            .detail("via", "console")
            .detail("person", signedIn() ? person() : "anonymous")
            .build());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
