package org.safehub.consent;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.safehub.agencies.AgencyType;

/**
 * A change of a subject's consent, read from a validated {@code consent-change} message. {@code
 * subjectRole} is the role the message's {@code subjects} give the subject, or null if they do not
 * list it.
 */
public record ConsentChange(
    UUID messageId,
    String subjectRef,
    String subjectRole,
    Kind kind,
    List<AgencyType> agencyTypes,
    List<String> messageTypes,
    String recordedByAgency,
    Instant recordedAt) {

  /** What happened to the consent. */
  public enum Kind {
    GRANTED,
    NARROWED,
    WITHDRAWN
  }

  public ConsentChange {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(subjectRef, "subjectRef");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(recordedByAgency, "recordedByAgency");
    Objects.requireNonNull(recordedAt, "recordedAt");
    agencyTypes = List.copyOf(agencyTypes);
    messageTypes = List.copyOf(messageTypes);
  }

  public static final String TYPE = "consent-change";

  /** Reads the change from a validated consent-change message sent by {@code senderAgency}. */
  public static ConsentChange of(JsonNode message, String senderAgency) {
    JsonNode p = message.path("payload");
    List<AgencyType> agencyTypes = new ArrayList<>();
    p.path("scope").path("agencyTypes").forEach(t -> agencyTypes.add(AgencyType.of(t.asText())));
    List<String> messageTypes = new ArrayList<>();
    p.path("scope").path("messageTypes").forEach(t -> messageTypes.add(t.asText()));
    String subjectRef = p.path("subjectRef").asText();
    String subjectRole = null;
    for (JsonNode s : message.path("subjects")) {
      if (subjectRef.equals(s.path("ref").asText())) {
        subjectRole = s.path("role").asText();
        break;
      }
    }
    return new ConsentChange(
        UUID.fromString(message.path("messageId").asText()),
        subjectRef,
        subjectRole,
        Kind.valueOf(p.path("change").asText().toUpperCase(java.util.Locale.ROOT)),
        agencyTypes,
        messageTypes,
        senderAgency,
        Instant.parse(p.path("recordedAt").asText()));
  }

  public boolean withdrawal() {
    return kind == Kind.WITHDRAWN;
  }
}
