package org.safehub.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the real broker directly, the way an agency's Kafka consumer would (read_committed). */
public final class DeliveryTopics {

  private DeliveryTopics() {}

  public static String deliveryTopic(String agency) {
    return "safehub.delivery." + agency;
  }

  /** Every committed record of a single-partition topic. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Properties p = new Properties();
    p.putAll(ComponentsResource.endpoints().kafkaClient());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Copies of {@code messageId} on the agency's delivery topic. The hub's own notices (a
   * fetch-notice to the sender, a consent-withdrawn-notice) carry the message's id too, from sender
   * {@code safehub}: they are not copies.
   */
  public static long copiesOf(String agency, String messageId) {
    return readAll(deliveryTopic(agency)).stream()
        .filter(r -> messageId.equals(header(r, "safehub-message-id")))
        .filter(r -> !"safehub".equals(header(r, "safehub-sender")))
        .count();
  }

  public static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
