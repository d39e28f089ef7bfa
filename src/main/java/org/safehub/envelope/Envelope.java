package org.safehub.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The routing-relevant fields of a validated message (envelope version 1). Holds no payload
 * content; built only from a message that has passed schema validation.
 */
public record Envelope(
    UUID messageId,
    String type,
    int schemaVersion,
    String caseRef,
    String area,
    Instant sentAt,
    Priority priority,
    List<String> recipients,
    LegalBasis legalBasis,
    List<Subject> subjects) {

  public Envelope {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(caseRef, "caseRef");
    Objects.requireNonNull(area, "area");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(legalBasis, "legalBasis");
    recipients = List.copyOf(recipients);
    subjects = List.copyOf(subjects);
  }

  /** Reads the envelope of a message that has already passed schema validation. */
  public static Envelope of(JsonNode message) {
    List<String> recipients = new ArrayList<>();
    message.path("recipients").forEach(r -> recipients.add(r.asText()));
    List<Subject> subjects = new ArrayList<>();
    message
        .path("subjects")
        .forEach(s -> subjects.add(new Subject(s.path("ref").asText(), s.path("role").asText())));
    return new Envelope(
        UUID.fromString(message.path("messageId").asText()),
        message.path("type").asText(),
        message.path("schemaVersion").asInt(),
        message.path("caseRef").asText(),
        message.path("area").asText(),
        Instant.parse(message.path("sentAt").asText()),
        Priority.parse(message.path("priority").asText()),
        recipients,
        LegalBasis.parse(message.path("legalBasis").path("basis").asText()),
        subjects);
  }
}
