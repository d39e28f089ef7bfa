package org.safehub.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.safehub.envelope.Envelope;

/**
 * Notices to send because of an accepted message; written in the same transaction as its copies.
 */
@FunctionalInterface
public interface NoticeSource {
  List<Notice> noticesFor(Envelope envelope, JsonNode message, String sender) throws Exception;
}
