package org.safehub.delivery;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One copy in an agency's inbox: its cursor (position in the agency's delivery topic), ids, format
 * and the copy itself (a JSON copy document, or a base64 CMS object when sealed).
 */
public record InboxItem(
    String cursor, String messageId, String type, String sender, String format, JsonNode copy) {}
