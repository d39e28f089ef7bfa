package org.safehub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.safehub.config.SafehubConfig;
import org.safehub.kafka.Headers;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.validation.StrictJson;

/**
 * Reads an agency's copies from its own delivery topic (one partition, so the offset is the
 * cursor), with a small pool of read_committed consumers: only committed deliveries are ever shown.
 */
@Singleton
public final class InboxReader implements AutoCloseable {

  private final BlockingQueue<KafkaConsumer<String, byte[]>> pool;
  private final List<KafkaConsumer<String, byte[]>> all = new ArrayList<>();
  private final Topics topics;
  private final ObjectMapper mapper;

  /** Four read_committed consumers for this instance. */
  @Inject
  public InboxReader(KafkaClients kafka, SafehubConfig config, Topics topics, StrictJson json) {
    this(
        () -> kafka.consumer("safehub-inbox-" + config.instanceId(), null, 500),
        4,
        topics,
        json.mapper());
  }

  public InboxReader(
      Supplier<KafkaConsumer<String, byte[]>> factory,
      int poolSize,
      Topics topics,
      ObjectMapper mapper) {
    this.pool = new ArrayBlockingQueue<>(poolSize);
    for (int i = 0; i < poolSize; i++) {
      KafkaConsumer<String, byte[]> c = factory.get();
      all.add(c);
      pool.add(c);
    }
    this.topics = topics;
    this.mapper = mapper;
  }

  /**
   * A page of an inbox; {@code reachedEnd}: it holds every committed copy after the cursor (it did
   * not stop at the limit or the read's deadline).
   */
  public record Page(List<InboxItem> items, String nextCursor, boolean reachedEnd) {}

  /** Copies after {@code after} (exclusive; null = from the start), at most {@code limit}. */
  public Page read(String agencyId, Long after, int limit) throws InterruptedException {
    KafkaConsumer<String, byte[]> c = pool.poll(10, TimeUnit.SECONDS);
    if (c == null) {
      throw new IllegalStateException("inbox readers busy");
    }
    try {
      TopicPartition tp = new TopicPartition(topics.delivery(agencyId), 0);
      c.assign(List.of(tp));
      Map<TopicPartition, Long> ends = c.endOffsets(List.of(tp), Duration.ofSeconds(5));
      long end = ends.getOrDefault(tp, 0L);
      long start =
          after == null
              ? c.beginningOffsets(List.of(tp), Duration.ofSeconds(5)).getOrDefault(tp, 0L)
              : after + 1;
      List<InboxItem> items = new ArrayList<>();
      long next = after == null ? -1 : after;
      boolean reachedEnd = start >= end;
      if (start < end) {
        c.seek(tp, start);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        outer:
        while (items.size() < limit && c.position(tp) < end && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
            items.add(toItem(r));
            next = r.offset();
            if (items.size() >= limit) {
              break outer;
            }
          }
        }
        reachedEnd = items.size() < limit && c.position(tp) >= end;
      }
      return new Page(items, next < 0 ? null : Long.toString(next), reachedEnd);
    } finally {
      c.unsubscribe();
      pool.add(c);
    }
  }

  public InboxItem toItem(ConsumerRecord<String, byte[]> r) {
    String format = Headers.get(r.headers(), Headers.FORMAT);
    JsonNode copy;
    if ("json".equals(format)) {
      try {
        copy = mapper.readTree(r.value());
      } catch (IOException e) {
        copy = TextNode.valueOf(java.util.Base64.getEncoder().encodeToString(r.value()));
        format = "unreadable";
      }
    } else {
      copy = TextNode.valueOf(java.util.Base64.getEncoder().encodeToString(r.value()));
    }
    return new InboxItem(
        Long.toString(r.offset()),
        Headers.get(r.headers(), Headers.MESSAGE_ID),
        Headers.get(r.headers(), Headers.TYPE),
        Headers.get(r.headers(), Headers.SENDER),
        format,
        copy);
  }

  @Override
  @PreDestroy
  public void close() {
    all.forEach(KafkaConsumer::close);
  }
}
