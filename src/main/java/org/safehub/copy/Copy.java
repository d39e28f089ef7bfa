package org.safehub.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.safehub.agencies.Agency;
import org.safehub.envelope.Envelope;

/**
 * One recipient's copy of a message as it moves through the stages: the recipient, its view of the
 * message, and the data categories removed from that view (names only).
 */
public record Copy(Envelope envelope, String sender, Instant receivedAt, Agency recipient, JsonNode view, List<String> removedCategories) {
  public Copy {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(view, "view");
    removedCategories = List.copyOf(removedCategories);
  }

  public Copy withView(JsonNode newView, List<String> removed) {
    return new Copy(envelope, sender, receivedAt, recipient, newView, removed);
  }
}
