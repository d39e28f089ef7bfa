package org.safehub.pipeline;

import org.apache.kafka.clients.producer.ProducerRecord;
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

  static ProducerRecord<String, byte[]> of(
      Topics topics,
      String agency,
      String messageId,
      String type,
      String sender,
      String format,
      byte[] value) {
    return new ProducerRecord<>(
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
  }
}
