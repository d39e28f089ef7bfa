package org.safehub.audit;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What an audit event records; the wire name is what the log stores, hashes and exports. */
public enum AuditAction {
  PUBLISH_ACCEPTED("publish-accepted"),
  PUBLISH_REJECTED("publish-rejected"),
  ROUTED("routed"),
  WITHHELD("withheld"),
  DELIVERED("delivered"),
  FETCHED("fetched"),
  ACKNOWLEDGED("acknowledged"),
  CONSENT_RECORDED("consent-recorded"),
  CONSENT_WITHDRAWN("consent-withdrawn"),
  AUTH_DENIED("auth-denied"),
  FORBIDDEN("forbidden"),
  REQUEST_REFUSED("request-refused"),
  AGENCY_CHANGED("agency-changed"),
  CERTIFICATE_CHANGED("certificate-changed"),
  AUDIT_QUERIED("audit-queried"),
  GUARD_ALERT("guard-alert"),
  KAFKA_ACL_CHANGED("kafka-acl-changed"),
  /** A copy's acknowledgement deadline passed unacknowledged (once per copy). */
  DEADLINE_MISSED("deadline-missed"),
  /** An escalation notice about an overdue copy, to one agency (once per agency and round). */
  DEADLINE_ESCALATED("deadline-escalated"),
  CASE_OPENED("case-opened"),
  CASE_MEMBER_ADDED("case-member-added"),
  CASE_MEMBER_REMOVED("case-member-removed"),
  CASE_CLOSED("case-closed"),
  CASE_REOPENED("case-reopened");

  private static final Map<String, AuditAction> BY_WIRE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(AuditAction::wire, Function.identity()));

  private final String wire;

  AuditAction(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The action with this wire name; an unknown name is an error, never a default. */
  public static AuditAction fromWire(String wire) {
    AuditAction action = BY_WIRE.get(wire);
    if (action == null) {
      throw new IllegalArgumentException("unknown audit action: " + wire);
    }
    return action;
  }

  @Override
  public String toString() {
    return wire;
  }
}
