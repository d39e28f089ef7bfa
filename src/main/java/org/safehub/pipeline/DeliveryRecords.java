package org.safehub.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.kafka.Headers;
import org.safehub.kafka.Topics;

/**
 * The record that puts a copy or a hub notice on its recipient's delivery topic, keyed by the
 * message id, with the headers the inbox and the live stream read: one shape for the pipeline's
 * copies and notices and for the escalator's notices.
 */
final class DeliveryRecords {

  /** The sender header of the hub's own notices. */
  static final String HUB = "safehub";

  private DeliveryRecords() {}

  /** Counts a batch's delivered and withheld copies; the counters carry reason codes only. */
  static void count(MeterRegistry metrics, List<DeliveryStatusStore.Outcome> outcomes) {
    for (DeliveryStatusStore.Outcome o : outcomes) {
      metrics
          .counter(
              o.delivered() ? "safehub.copies.delivered" : "safehub.copies.withheld",
              "reason",
              o.delivered() ? "none" : o.reason().wire())
          .increment();
    }
  }

  static ProducerRecord<String, byte[]> of(
      Topics topics,
      String agency,
      String messageId,
      String type,
      String sender,
      String format,
      byte[] value) {
    return record(topics, agency, messageId, type, sender, format, value, null);
  }

  /** As {@link #of}, with the escalator's notice id header when {@code noticeId} is not null. */
  static ProducerRecord<String, byte[]> record(
      Topics topics,
      String agency,
      String messageId,
      String type,
      String sender,
      String format,
      byte[] value,
      String noticeId) {
    ProducerRecord<String, byte[]> r =
        new ProducerRecord<>(
            topics.delivery(agency),
            null,
            messageId,
            value,
            Headers.of(
                Headers.MESSAGE_ID,
                messageId,
                Headers.TYPE,
                type,
                Headers.SENDER,
                sender,
                Headers.RECIPIENT,
                agency,
                Headers.FORMAT,
                format));
    if (noticeId != null) {
      r.headers().add(Headers.NOTICE_ID, noticeId.getBytes(StandardCharsets.UTF_8));
    }
    return r;
  }
}
