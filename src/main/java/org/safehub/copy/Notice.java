package org.safehub.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A content-free notice the hub itself sends to an agency's inbox because of a message (for
 * example, that consent for earlier copies has been withdrawn).
 */
public record Notice(String recipient, String kind, JsonNode content) {
  public Notice {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(content, "content");
  }
}
