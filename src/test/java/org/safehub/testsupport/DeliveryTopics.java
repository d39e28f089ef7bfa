package org.safehub.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** Reads the real broker directly, the way an agency's Kafka consumer would (read_committed). */
public final class DeliveryTopics {

  private DeliveryTopics() {}

  public static String deliveryTopic(String agency) {
    return "safehub.delivery." + agency;
  }

  /** Every committed record of a single-partition topic. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    return readAll(List.of(topic));
  }

  /** Every committed record of {@code topics}, read by one consumer in one pass. */
  public static List<ConsumerRecord<String, byte[]>> readAll(Collection<String> topics) {
    Properties p = new Properties();
    p.putAll(ComponentsResource.endpoints().kafkaClient());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : topics) {
        c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .forEach(parts::add);
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // a count from a topic not read to its end would be short: fail, never under-count
      for (TopicPartition tp : parts) {
        if (c.position(tp) < end.get(tp)) {
          throw new AssertionError(tp + " not read to its end within 20 s");
        }
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
    return copiesAt(List.of(agency), messageId).get(agency);
  }

  /**
   * As {@link #copiesOf}, for each of {@code agencies} (each with its count, 0 included), their
   * topics read by one consumer in one pass.
   */
  public static Map<String, Long> copiesAt(Collection<String> agencies, String messageId) {
    Map<String, Long> out = new TreeMap<>();
    Map<String, String> agencyOfTopic = new HashMap<>();
    for (String agency : agencies) {
      out.put(agency, 0L);
      agencyOfTopic.put(deliveryTopic(agency), agency);
    }
    for (ConsumerRecord<String, byte[]> r : readAll(agencyOfTopic.keySet())) {
      if (messageId.equals(header(r, "safehub-message-id"))
          && !"safehub".equals(header(r, "safehub-sender"))) {
        out.merge(agencyOfTopic.get(r.topic()), 1L, Long::sum);
      }
    }
    return out;
  }

  /**
   * Waits for the first expected copy (all copies of a message commit in one transaction), then
   * asserts that each of {@code expected} holds exactly one copy of {@code messageId} and every
   * other demo agency none.
   */
  public static void assertCopiesExactlyAt(String messageId, Set<String> expected) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> copiesOf(expected.iterator().next(), messageId) >= 1);
    Map<String, Long> want = new TreeMap<>();
    DemoAgencies.ids().forEach(a -> want.put(a, expected.contains(a) ? 1L : 0L));
    assertEquals(want, copiesAt(DemoAgencies.ids(), messageId), messageId + " copies by agency");
  }

  public static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
