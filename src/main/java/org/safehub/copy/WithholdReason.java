package org.safehub.copy;

/** Why a recipient did not get a copy; the wire form is what the sender's status shows. */
public enum WithholdReason {
  NOT_PERMITTED_TO_RECEIVE("not-permitted-to-receive"),
  UNKNOWN_AGENCY("unknown-agency"),
  AGENCY_SUSPENDED("agency-suspended"),
  NO_CONSENT("no-consent"),
  CONSENT_WITHDRAWN("consent-withdrawn"),
  POLICY_ERROR("policy-error"),
  SEALING_FAILED("sealing-failed"),
  NO_LONGER_ROUTED("no-longer-routed");

  private final String wire;

  WithholdReason(String wire) {
    this.wire = wire;
  }

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return wire;
  }

  /** The reason with this wire name; an unknown name is an {@link IllegalArgumentException}. */
  public static WithholdReason parse(String wire) {
    for (WithholdReason r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown withhold reason");
  }
}
