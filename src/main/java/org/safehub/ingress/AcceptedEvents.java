package org.safehub.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.safehub.agencies.AgencyType;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.consent.ConsentChange;
import org.safehub.envelope.Envelope;
import org.safehub.identity.Caller;

/** What an accepted publish writes to the audit log, in the same transaction as its receipt. */
final class AcceptedEvents {

  private AcceptedEvents() {}

  /**
   * The audit events of an accepted publish: accepted, and the consent change it records if any.
   */
  static List<AuditEvent> of(
      Caller caller,
      Envelope envelope,
      JsonNode message,
      Instant receivedAt,
      ConsentChange consentChange) {
    String justification =
        envelope.legalBasis().isConsent()
            ? null
            : message.path("legalBasis").path("justification").asText(null);
    List<AuditEvent> events = new ArrayList<>();
    events.add(
        AuditEvent.builder(AuditAction.PUBLISH_ACCEPTED, receivedAt)
            .actor(caller.agencyId(), caller.clientId())
            .message(envelope.messageId(), envelope.type(), envelope.caseRef())
            .legalBasis(envelope.legalBasis().wire(), justification)
            .detail("priority", envelope.priority().wire())
            .build());
    if (consentChange != null) {
      events.add(
          AuditEvent.builder(
                  consentChange.withdrawal()
                      ? AuditAction.CONSENT_WITHDRAWN
                      : AuditAction.CONSENT_RECORDED,
                  receivedAt)
              .actor(caller.agencyId(), caller.clientId())
              .message(envelope.messageId(), envelope.type(), envelope.caseRef())
              .detail("subjectRef", consentChange.subjectRef())
              .detail("change", consentChange.kind().name().toLowerCase(Locale.ROOT))
              .detail(
                  "agencyTypes",
                  consentChange.agencyTypes().isEmpty()
                      ? "none"
                      : String.join(
                          "/", consentChange.agencyTypes().stream().map(AgencyType::name).toList()))
              .detail(
                  "messageTypes",
                  consentChange.messageTypes().isEmpty()
                      ? "all"
                      : String.join("/", consentChange.messageTypes()))
              .build());
    }
    return events;
  }
}
