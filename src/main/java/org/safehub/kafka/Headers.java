package org.safehub.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Record headers the hub sets. They carry ids and codes only, never message content. */
public final class Headers {
  public static final String MESSAGE_ID = "safehub-message-id";
  public static final String TYPE = "safehub-type";
  public static final String SENDER = "safehub-sender";
  public static final String RECIPIENT = "safehub-recipient";
  public static final String REASON = "safehub-reason";
  public static final String FORMAT = "safehub-format";

  /** On the escalator's notices: the notice's own id (its outbox seq), for tracing a duplicate. */
  public static final String NOTICE_ID = "safehub-notice-id";

  private Headers() {}

  public static RecordHeaders of(String... keyValues) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      h.add(keyValues[i], keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return h;
  }

  public static String get(org.apache.kafka.common.header.Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
