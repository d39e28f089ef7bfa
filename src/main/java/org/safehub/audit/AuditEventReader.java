package org.safehub.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads an {@link AuditEvent} from its JSON strictly: unknown fields and wrong types are errors;
 * the record's constructor then checks every value.
 */
final class AuditEventReader {

  private static final Set<String> FIELDS =
      Set.of(
          "seq",
          "time",
          "action",
          "actorAgency",
          "actorClient",
          "messageId",
          "messageType",
          "caseRef",
          "recipient",
          "legalBasis",
          "reason",
          "categories",
          "justification",
          "detail");

  private AuditEventReader() {}

  static AuditEvent read(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("an audit event is a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("unknown audit event field: " + name);
      }
    }
    long seq = AuditEvent.UNASSIGNED;
    JsonNode seqNode = node.get("seq");
    if (seqNode != null) {
      if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong() || seqNode.longValue() < 0) {
        throw new IllegalArgumentException("seq must be a whole number, 0 or more");
      }
      seq = seqNode.longValue();
    }
    Instant time;
    try {
      time = Instant.parse(required(node, "time"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("time is not an ISO-8601 instant", e);
    }
    AuditAction action = AuditAction.fromWire(required(node, "action"));
    UUID messageId = null;
    String id = string(node, "messageId");
    if (id != null) {
      messageId = parseUuid(id);
    }
    List<String> categories = new ArrayList<>();
    JsonNode list = node.get("categories");
    if (list != null) {
      if (!list.isArray()) {
        throw new IllegalArgumentException("categories must be an array");
      }
      for (JsonNode item : list) {
        if (!item.isTextual()) {
          throw new IllegalArgumentException("categories must be strings");
        }
        categories.add(item.textValue());
      }
    }
    Map<String, String> detail = new LinkedHashMap<>();
    JsonNode map = node.get("detail");
    if (map != null) {
      if (!map.isObject()) {
        throw new IllegalArgumentException("detail must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!entry.getValue().isTextual()) {
          throw new IllegalArgumentException("detail values must be strings");
        }
        detail.put(entry.getKey(), entry.getValue().textValue());
      }
    }
    return new AuditEvent(
        seq,
        time,
        action,
        string(node, "actorAgency"),
        string(node, "actorClient"),
        messageId,
        string(node, "messageType"),
        string(node, "caseRef"),
        string(node, "recipient"),
        string(node, "legalBasis"),
        string(node, "reason"),
        categories,
        string(node, "justification"),
        detail);
  }

  private static String required(JsonNode node, String field) {
    String value = string(node, field);
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  private static String string(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return value.textValue();
  }

  private static UUID parseUuid(String text) {
    try {
      UUID uuid = UUID.fromString(text);
      if (!uuid.toString().equals(text)) {
        throw new IllegalArgumentException("messageId is not a canonical lower-case UUID");
      }
      return uuid;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("messageId is not a canonical lower-case UUID", e);
    }
  }
}
