package org.safehub.pipeline;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;
import org.safehub.kafka.Headers;
import org.safehub.kafka.Topics;

/**
 * Records the pipeline sets aside: the sealed inbound record as it was, with the reason and its
 * source.
 */
final class DeadLetters {

  private static final Logger LOG = Logger.getLogger(DeadLetters.class);

  private DeadLetters() {}

  /**
   * The dead-letter record for {@code r}; the log names the record and the reason, never content.
   */
  static ProducerRecord<String, byte[]> of(
      Topics topics, ConsumerRecord<String, byte[]> r, String reason) {
    LOG.warnf(
        "inbound record %s-%d@%d sent to dead letter: %s",
        r.topic(), r.partition(), r.offset(), reason);
    return new ProducerRecord<>(
        topics.deadLetter(),
        null,
        r.key(),
        r.value(),
        Headers.of(
            Headers.REASON,
            reason,
            "safehub-source",
            r.topic() + "-" + r.partition() + "@" + r.offset()));
  }
}
