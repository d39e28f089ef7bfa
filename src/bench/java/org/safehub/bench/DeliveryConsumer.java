package org.safehub.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.safehub.devstack.KafkaNode;
import org.safehub.kafka.KafkaClients;

/**
 * A read_committed consumer on the delivery topics, as an agency's system would read them: it notes
 * when each copy became visible and tells the current {@link Tracker}. It starts at the topics'
 * ends.
 */
final class DeliveryConsumer implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Integer> agencyOfTopic;
  private final Thread thread;
  private final AtomicLong records = new AtomicLong();
  private volatile Tracker tracker;
  private volatile boolean running = true;
  private volatile Throwable failure;

  /**
   * @param agencyOfTopic each delivery topic (one partition each) and the index of its agency in
   *     {@link MessageMix#AGENCIES}
   */
  DeliveryConsumer(String bootstrap, Map<String, Integer> agencyOfTopic, String name) {
    this.agencyOfTopic = Map.copyOf(agencyOfTopic);
    this.consumer = new KafkaClients(KafkaNode.hubClient(bootstrap)).consumer(name, null, 2000);
    List<TopicPartition> partitions = new ArrayList<>();
    agencyOfTopic.keySet().forEach(t -> partitions.add(new TopicPartition(t, 0)));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start now, before anything is published
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** From now on, arrivals go to {@code next} (null: counted nowhere). */
  void track(Tracker next) {
    tracker = next;
  }

  long records() {
    return records.get();
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (batch.isEmpty()) {
          continue;
        }
        long now = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        Tracker t = tracker;
        for (ConsumerRecord<String, byte[]> r : batch) {
          records.incrementAndGet();
          Integer agency = agencyOfTopic.get(r.topic());
          if (t != null && agency != null) {
            t.arrived(
                r.key(),
                agency,
                now,
                r.value() == null ? 0 : r.value().length,
                r.timestamp(),
                nowMillis);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Throwable e) {
      failure = e;
      System.out.println("  delivery consumer failed: " + e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
