package org.safehub.envelope;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * The lawful basis of a share ({@code legalBasis.basis} in the envelope). Any basis but {@link
 * #CONSENT} is a share without consent: it needs a written justification and is recorded as such.
 * The wire names are the envelope schema's enum and never change.
 */
public enum LegalBasis {
  CONSENT("consent"),
  SAFEGUARDING_CHILD("safeguarding-child"),
  SAFEGUARDING_ADULT_AT_RISK("safeguarding-adult-at-risk"),
  LEGAL_OBLIGATION("legal-obligation"),
  VITAL_INTERESTS("vital-interests"),
  PUBLIC_TASK("public-task");

  private final String wire;

  LegalBasis(String wire) {
    this.wire = wire;
  }

  /** The name in the envelope, the receipt table and the audit log. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Whether this basis is consent, the only one that is not a share without consent. */
  public boolean isConsent() {
    return this == CONSENT;
  }

  /** The basis with this wire name, if any. */
  public static Optional<LegalBasis> find(String wire) {
    for (LegalBasis b : values()) {
      if (b.wire.equals(wire)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /** The basis with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  public static LegalBasis parse(String wire) {
    return find(wire).orElseThrow(() -> new IllegalArgumentException("unknown legal basis"));
  }
}
