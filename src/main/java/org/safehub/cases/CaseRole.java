package org.safehub.cases;

import com.fasterxml.jackson.annotation.JsonValue;
import org.safehub.agencies.AgencyType;

/**
 * An agency's role on a case. A role fits only some agency types: each named role its own agency
 * type, {@code other} any type but a perpetrator programme, which may only ever be the {@code
 * programme}.
 */
public enum CaseRole {
  PROGRAMME("programme", "perpetrator-programme"),
  PARTNER_SUPPORT("partner-support", "partner-support"),
  CHILDRENS_SERVICES("childrens-services", "childrens-services"),
  MASH("mash", "mash"),
  MARAC("marac", "marac"),
  OTHER("other", null);

  /** The agency type that may only ever be a case's {@code programme}. */
  public static final String PROGRAMME_TYPE = "perpetrator-programme";

  private final String wire;
  private final String agencyType;

  CaseRole(String wire, String agencyType) {
    this.wire = wire;
    this.agencyType = agencyType;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  /** The role with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  public static CaseRole parse(String wire) {
    for (CaseRole r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown case role");
  }

  /** Whether an agency of {@code type} may hold this role. */
  public boolean fits(AgencyType type) {
    if (agencyType != null) {
      return agencyType.equals(type.name());
    }
    return !PROGRAMME_TYPE.equals(type.name());
  }

  /** The role an agency of {@code type} takes when the hub itself adds it (a referral). */
  public static CaseRole forType(AgencyType type) {
    for (CaseRole r : values()) {
      if (r.agencyType != null && r.agencyType.equals(type.name())) {
        return r;
      }
    }
    return OTHER;
  }

  @Override
  public String toString() {
    return wire;
  }
}
