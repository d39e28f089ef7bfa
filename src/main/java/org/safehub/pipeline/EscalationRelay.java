package org.safehub.pipeline;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.safehub.config.SafehubConfig;
import org.safehub.db.Transactions;
import org.safehub.delivery.EscalationOutbox;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;

/**
 * Sends the escalator's sealed notices from its outbox ({@link EscalationOutbox}) to the delivery
 * topics, each exactly once, whatever crashes and however many hub instances run (ADR 0010).
 *
 * <p>One relay of a deployment works at a time (a transaction-scoped advisory lock per topic
 * prefix), always with the same Kafka transactional id ({@link #transactionalId}), so a relay that
 * starts fences any earlier one. A pass sends the rows after the last seq relayed, in seq order,
 * and in the same Kafka transaction a marker record holding the highest seq sent to the hub-only
 * topic {@link Topics#escalationRelay()}; only then does it delete the rows from PostgreSQL
 * (clean-up, not needed for correctness). A relay that starts, or that failed, learns the last seq
 * relayed from the last committed marker (read_committed, after its {@code initTransactions} has
 * finished or aborted any transaction left open): the notices and their marker commit or abort
 * together, so nothing is sent twice and nothing is skipped.
 */
@Singleton
public final class EscalationRelay {

  /** The marker record's key (the topic is compacted on it: the latest marker is kept). */
  static final String MARKER_KEY = "last-relayed";

  private static final Logger LOG = Logger.getLogger(EscalationRelay.class);
  private static final int BATCH = 100;
  private static final int LOCK_WAIT_MS = 5000;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private final DataSource ds;
  private final Topics topics;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private final Supplier<KafkaConsumer<String, byte[]>> consumers;
  private KafkaProducer<String, byte[]> producer;

  /** The highest seq relayed, known from this relay's own commits; -1 until read from Kafka. */
  private long relayed = -1;

  @Inject
  public EscalationRelay(DataSource ds, Topics topics, KafkaClients kafka, SafehubConfig config) {
    this(ds, topics, kafka, config.pipeline().transactionTimeoutMs(), config.instanceId());
  }

  /**
   * A relay of this deployment ({@code topics}' prefix) on the same database and Kafka; {@code
   * instance} names only its marker-reading consumer. Also another hub instance's relay (tests).
   */
  public EscalationRelay(
      DataSource ds, Topics topics, KafkaClients kafka, int transactionTimeoutMs, String instance) {
    this(
        ds,
        topics,
        () -> kafka.transactionalProducer(transactionalId(topics), transactionTimeoutMs),
        () -> kafka.consumer("safehub-escalation-relay-" + instance, null, BATCH));
  }

  /** With its Kafka clients given (the producer must use {@link #transactionalId}). */
  public EscalationRelay(
      DataSource ds,
      Topics topics,
      Supplier<KafkaProducer<String, byte[]>> producers,
      Supplier<KafkaConsumer<String, byte[]>> consumers) {
    this.ds = ds;
    this.topics = topics;
    this.producers = producers;
    this.consumers = consumers;
  }

  /** The one Kafka transactional id of every relay of the deployment using {@code topics}. */
  public static String transactionalId(Topics topics) {
    return topics.prefix() + "escalation-relay";
  }

  /**
   * Sends every notice waiting in the outbox, in passes of at most {@value #BATCH}; returns how
   * many it sent. Returns early, sending nothing, if another relay holds the lock for long; throws
   * if Kafka or PostgreSQL fails (the notices stay in the outbox for a later pass).
   */
  public synchronized int relay() throws Exception {
    int total = 0;
    boolean retried = false;
    while (true) {
      int sent;
      try {
        sent = pass();
      } catch (KafkaException e) {
        reset();
        // most often fenced: another instance's relay ran since ours; learn where it stopped
        if (retried) {
          throw e;
        }
        retried = true;
        continue;
      } catch (Exception e) {
        reset();
        throw e;
      }
      total += Math.max(sent, 0);
      if (sent < BATCH) {
        return total;
      }
    }
  }

  /** One pass in one PostgreSQL transaction holding the relay lock: -1 if the lock was busy. */
  private int pass() throws Exception {
    String prefix = topics.prefix();
    return Transactions.inTransaction(
        ds,
        c -> {
          if (!EscalationOutbox.lockRelay(c, prefix, LOCK_WAIT_MS)) {
            return -1; // another instance is relaying: it or a later pass sends these rows
          }
          if (relayed < 0) {
            if (EscalationOutbox.after(c, prefix, Long.MIN_VALUE, 1).isEmpty()) {
              return 0; // nothing waiting: no need to ask Kafka where the last relay stopped
            }
            producer(); // first: its initTransactions fences any earlier relay, ends its
            // transaction
            relayed = lastRelayed();
            LOG.debugf("escalation relay resumes after outbox seq %d", relayed);
          }
          EscalationOutbox.deleteUpTo(c, prefix, relayed); // left by a relay that stopped
          List<EscalationOutbox.Row> rows = EscalationOutbox.after(c, prefix, relayed, BATCH);
          if (rows.isEmpty()) {
            return 0;
          }
          long last = rows.get(rows.size() - 1).seq();
          send(rows, last);
          relayed = last;
          EscalationOutbox.deleteUpTo(c, prefix, last);
          return rows.size();
        });
  }

  /** The notices and the marker, in one Kafka transaction. */
  private void send(List<EscalationOutbox.Row> rows, long last) {
    KafkaProducer<String, byte[]> p = producer();
    p.beginTransaction();
    for (EscalationOutbox.Row r : rows) {
      ProducerRecord<String, byte[]> record =
          DeliveryRecords.record(
              topics,
              r.recipient(),
              r.messageId().toString(),
              r.kind(),
              DeliveryRecords.HUB,
              r.format(),
              r.sealed(),
              Long.toString(r.seq()));
      // a failed send fails commitTransaction, and nothing of the pass is visible
      Future<RecordMetadata> unused = p.send(record);
    }
    Future<RecordMetadata> unused =
        p.send(
            new ProducerRecord<>(
                topics.escalationRelay(),
                0,
                MARKER_KEY,
                Long.toString(last).getBytes(StandardCharsets.UTF_8)));
    p.commitTransaction();
  }

  /**
   * The seq in the last committed marker, or 0 if none: reads back from the end of the marker
   * topic, further each time, since control records and aborted records take offsets too.
   */
  private long lastRelayed() {
    TopicPartition tp = new TopicPartition(topics.escalationRelay(), 0);
    try (KafkaConsumer<String, byte[]> c = consumers.get()) {
      c.assign(List.of(tp));
      long begin = c.beginningOffsets(List.of(tp), READ_TIMEOUT).get(tp);
      long end = c.endOffsets(List.of(tp), READ_TIMEOUT).get(tp); // read_committed: stable end
      for (long window = 8; ; window *= 8) {
        long from = Math.max(begin, end - window);
        long found = lastIn(c, tp, from, end);
        if (found >= 0) {
          return found;
        }
        if (from == begin) {
          return 0;
        }
      }
    }
  }

  /** The highest marker seq in [from, end), or -1 if there is none. */
  private static long lastIn(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, long from, long end) {
    c.seek(tp, from);
    long found = -1;
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (c.position(tp) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("escalation relay marker topic not read in time");
      }
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
        if (r.offset() < end && MARKER_KEY.equals(r.key()) && r.value() != null) {
          found = Math.max(found, Long.parseLong(new String(r.value(), StandardCharsets.UTF_8)));
        }
      }
    }
    return found;
  }

  private KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      KafkaProducer<String, byte[]> p = producers.get();
      try {
        p.initTransactions();
      } catch (RuntimeException e) {
        p.close(Duration.ZERO);
        throw e;
      }
      producer = p;
    }
    return producer;
  }

  /** Forgets the position and drops the producer: the next pass starts like a new relay. */
  private void reset() {
    drop(Duration.ZERO); // an open transaction is aborted by the next relay's init
  }

  /** Closes the producer (a later relay opens a new one, learning its position from Kafka). */
  @PreDestroy
  public synchronized void close() {
    drop(Duration.ofSeconds(2));
  }

  private void drop(Duration wait) {
    relayed = -1;
    if (producer != null) {
      try {
        producer.close(wait);
      } catch (RuntimeException e) {
        LOG.debugf("escalation relay producer close failed (%s)", e.getClass().getSimpleName());
      }
      producer = null;
    }
  }
}
