package org.safehub.copy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes a copy as a JSON document: delivery metadata, the categories removed that the recipient
 * may be told of ({@link Copy#namedRemovedCategories()}), the copy's flags (a list, empty when
 * none), and the recipient's view.
 */
public final class JsonCopyWriter implements CopyWriter {

  public static final String FORMAT = "json";

  private final ObjectMapper mapper;

  public JsonCopyWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public byte[] write(Copy copy) throws Exception {
    return mapper.writeValueAsBytes(document(copy));
  }

  @Override
  public byte[] writeNotice(Notice notice) throws Exception {
    return mapper.writeValueAsBytes(notice.content());
  }

  /** The copy document every format carries (sealed formats seal exactly these bytes). */
  public ObjectNode document(Copy copy) {
    ObjectNode doc = mapper.createObjectNode();
    doc.put("messageId", copy.envelope().messageId().toString());
    doc.put("type", copy.envelope().type());
    doc.put("sender", copy.sender());
    doc.put("recipient", copy.recipient().id());
    doc.put("receivedAt", copy.receivedAt().toString());
    doc.set("removedCategories", mapper.valueToTree(copy.namedRemovedCategories()));
    doc.set("flags", mapper.valueToTree(copy.flags()));
    doc.set("message", copy.view());
    return doc;
  }
}
