package org.safehub.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * What the hub stores on its inbound topic for an accepted message: the validated message, the
 * sender taken from the token (never from the body) and when it was accepted.
 */
public record InboundRecord(String sender, Instant receivedAt, JsonNode message) {
  public InboundRecord {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(message, "message");
  }

  public byte[] encode(ObjectMapper mapper) {
    ObjectNode node = mapper.createObjectNode();
    node.put("sender", sender);
    node.put("receivedAt", receivedAt.toString());
    node.set("message", message);
    try {
      return mapper.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static InboundRecord decode(byte[] bytes, ObjectMapper mapper) throws IOException {
    JsonNode node = mapper.readTree(bytes);
    if (node == null
        || !node.hasNonNull("sender")
        || !node.hasNonNull("receivedAt")
        || !node.path("message").isObject()) {
      throw new IOException("not an inbound record");
    }
    return new InboundRecord(
        node.get("sender").asText(),
        Instant.parse(node.get("receivedAt").asText()),
        node.get("message"));
  }
}
