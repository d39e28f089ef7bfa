package org.safehub.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One copy in an agency's inbox: its cursor (position in the agency's delivery topic), ids, format
 * and the copy itself (a JSON copy document, or a base64 CMS object when sealed), and the time by
 * which the agency must acknowledge it (none when it need not).
 */
public record InboxItem(
    String cursor,
    String messageId,
    String type,
    String sender,
    String format,
    JsonNode copy,
    @JsonInclude(JsonInclude.Include.NON_NULL) Instant deadline) {

  /** A copy as read from the delivery topic, before its deadline is looked up. */
  public InboxItem(
      String cursor, String messageId, String type, String sender, String format, JsonNode copy) {
    this(cursor, messageId, type, sender, format, copy, null);
  }

  /** This copy with {@code deadline}. */
  public InboxItem withDeadline(Instant deadline) {
    return new InboxItem(cursor, messageId, type, sender, format, copy, deadline);
  }
}
