package org.safehub.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.safehub.copy.Notice;
import org.safehub.copy.NoticeSource;
import org.safehub.envelope.Envelope;
import org.safehub.validation.StrictJson;

/**
 * When consent is withdrawn, every agency that holds a copy of an earlier message that relied on
 * that consent gets a notice naming those messages (ids only, no content), so it can stop using
 * them.
 */
@Singleton
public final class ConsentNotices implements NoticeSource {

  public static final String KIND = "consent-withdrawn-notice";

  private final ConsentRegistry registry;
  private final ObjectMapper mapper;

  @Inject
  public ConsentNotices(ConsentRegistry registry, StrictJson json) {
    this(registry, json.mapper());
  }

  public ConsentNotices(ConsentRegistry registry, ObjectMapper mapper) {
    this.registry = registry;
    this.mapper = mapper;
  }

  @Override
  public List<Notice> noticesFor(Envelope envelope, JsonNode message, String sender)
      throws Exception {
    if (!ConsentChange.TYPE.equals(envelope.type())
        || !"withdrawn".equals(message.path("payload").path("change").asText())) {
      return List.of();
    }
    String subject = message.path("payload").path("subjectRef").asText();
    List<Notice> out = new ArrayList<>();
    for (Map.Entry<String, List<UUID>> e :
        registry.earlierConsentBasedRecipients(subject, envelope.messageId()).entrySet()) {
      ObjectNode n = mapper.createObjectNode();
      n.put("notice", "consent-withdrawn");
      n.put("subjectRef", subject);
      n.put("caseRef", envelope.caseRef());
      n.put("withdrawalMessageId", envelope.messageId().toString());
      n.set(
          "affectedMessageIds",
          mapper.valueToTree(e.getValue().stream().map(UUID::toString).toList()));
      out.add(new Notice(e.getKey(), KIND, n));
    }
    return out;
  }
}
