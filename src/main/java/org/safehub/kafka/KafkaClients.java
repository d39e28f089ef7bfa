package org.safehub.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds the hub's Kafka clients from the shared {@code kafka.*} configuration (bootstrap servers
 * and, in production, TLS/SASL settings), adding the settings each role needs for durability.
 */
@Singleton
public final class KafkaClients {

  /** Qualifies the durable producer that writes accepted messages to the inbound topic. */
  public static final String INGRESS_PRODUCER = "safehub-ingress";

  /** Qualifies the durable producer for the audit topic and the fetch notices. */
  public static final String AUDIT_PRODUCER = "safehub-audit";

  private final Map<String, Object> base;

  @Inject
  public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> base) {
    this.base = Map.copyOf(base);
  }

  private Map<String, Object> common() {
    Map<String, Object> c = new HashMap<>();
    base.forEach(
        (k, v) -> {
          // only client settings: Quarkus adds its own keys (health, devservices) to this map
          if (k.contains(".")
              && !k.startsWith("health")
              && !k.startsWith("devservices")
              && !k.startsWith("snappy")) {
            c.put(k, v);
          }
        });
    return c;
  }

  /**
   * A durable, idempotent producer: acks=all, so a returned send means the record is replicated.
   */
  public KafkaProducer<String, byte[]> durableProducer(String clientId, int deliveryTimeoutMs) {
    Map<String, Object> c = common();
    c.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // Kafka requires delivery.timeout >= linger + request.timeout
    int half = Math.max(500, deliveryTimeoutMs / 2);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(half, 5000));
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(half, 5000));
    c.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Math.max(deliveryTimeoutMs, Math.min(half, 5000) + 2));
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(c);
  }

  /**
   * A transactional producer whose stable id lets a restarted instance fence its crashed
   * predecessor.
   */
  public KafkaProducer<String, byte[]> transactionalProducer(
      String transactionalId, int transactionTimeoutMs) {
    Map<String, Object> c = common();
    c.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // a transaction's first request (AddOffsetsToTxn, or adding a partition) sent while the
    // coordinator still completes the previous transaction is answered CONCURRENT_TRANSACTIONS and
    // retried after this back-off (doubling up to 1 s); Kafka's 100 ms default held a batch, and
    // every message queued behind it, for 100-200 ms
    c.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(c);
  }

  /** A read_committed consumer that never commits by itself. */
  public KafkaConsumer<String, byte[]> consumer(
      String clientId, String groupId, int maxPollRecords) {
    Map<String, Object> c = common();
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    if (groupId != null) {
      c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    // a killed instance's partitions move to a live one within seconds, not the 45 s default
    c.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10000);
    c.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2000);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(c);
  }

  public Map<String, Object> adminConfig() {
    return common();
  }
}
