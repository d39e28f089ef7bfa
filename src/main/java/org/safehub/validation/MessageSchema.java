package org.safehub.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import java.util.Objects;

/**
 * A loaded payload schema of one message type and version, with its raw document (category tags).
 */
public record MessageSchema(String type, int version, Schema compiled, JsonNode document) {
  public MessageSchema {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(compiled, "compiled");
    Objects.requireNonNull(document, "document");
    if (version < 1) {
      throw new IllegalArgumentException("schema version must be positive");
    }
  }
}
