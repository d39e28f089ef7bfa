package org.safehub.pipeline;

import static org.safehub.copy.WithholdReason.NO_LONGER_ROUTED;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.config.SafehubConfig;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentRegistry;
import org.safehub.copy.CopyStage;
import org.safehub.copy.CopyWriter;
import org.safehub.copy.NoticeSource;
import org.safehub.crypto.AtRestSealer;
import org.safehub.deadlines.Deadlines;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.routing.Router;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * The consume-route-deliver loop. Each batch of inbound records becomes, in one Kafka transaction,
 * each recipient's copy on its own delivery topic plus the consumed offsets; the decisions are
 * recorded in PostgreSQL before the transaction commits. A crash at any point leaves either the
 * whole batch delivered and its offsets committed, or neither. What runs for each copy, in which
 * order, is {@link Stages}: route, then each {@link CopyStage}, then the {@link CopyWriter}.
 */
@Singleton
public final class Pipeline implements Runnable {

  private static final Logger LOG = Logger.getLogger(Pipeline.class);

  private final Supplier<KafkaConsumer<String, byte[]>> consumers;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private final Topics topics;
  private final BatchStart start;
  private final DeliveryStatusStore statuses;
  private final ObjectMapper mapper;
  private final io.micrometer.core.instrument.MeterRegistry metrics;
  private final AtRestSealer atRest;
  private final AuditTrail trail;
  private final ConsentRegistry consent;
  private final MessageRun messages;
  private final AtomicLong processed = new AtomicLong();
  // the workers of the stages' threading contract (CopyStage): one per processor, for this pipeline
  // alone
  private final java.util.concurrent.ForkJoinPool workers =
      new java.util.concurrent.ForkJoinPool(
          Math.max(1, Runtime.getRuntime().availableProcessors()));
  private volatile boolean running = true;
  private Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile long lastLoop = System.nanoTime();
  private boolean transactionOpen;

  /**
   * This instance's pipeline: its consumer group and transactional id are named for {@code
   * safehub.instance-id}.
   */
  @Inject
  public Pipeline(
      Stages stages,
      KafkaClients kafka,
      SafehubConfig config,
      Topics topics,
      DeliveryStatusStore statuses,
      DataSource ds,
      StrictJson json,
      MeterRegistry metrics,
      AtRestSealer atRest,
      AuditTrail trail,
      ConsentRegistry consent,
      Deadlines deadlines) {
    this(
        () ->
            kafka.consumer(
                "safehub-pipeline-" + config.instanceId(),
                config.kafka().topicPrefix() + "pipeline",
                config.pipeline().maxBatch()),
        () ->
            kafka.transactionalProducer(
                "safehub-pipeline-" + config.instanceId(),
                config.pipeline().transactionTimeoutMs()),
        topics,
        stages.router(),
        stages.copyStages(),
        stages.noticeSources(),
        stages.writer(),
        statuses,
        ds,
        json.mapper(),
        metrics,
        atRest,
        trail,
        consent,
        // a consent change's publisher has this long to be told its outcome: claim, write, confirm
        Duration.ofMillis(3L * Math.max(5000, config.ingress().produceTimeoutMs()) + 5000),
        deadlines);
  }

  /** With every part given (no deadlines if null): for a test's pipeline on topics of its own. */
  public Pipeline(
      Supplier<KafkaConsumer<String, byte[]>> consumers,
      Supplier<KafkaProducer<String, byte[]>> producers,
      Topics topics,
      Router router,
      List<CopyStage> stages,
      List<NoticeSource> noticeSources,
      CopyWriter writer,
      DeliveryStatusStore statuses,
      DataSource ds,
      ObjectMapper mapper,
      io.micrometer.core.instrument.MeterRegistry metrics,
      AtRestSealer atRest,
      AuditTrail trail,
      ConsentRegistry consent,
      Duration consentGrace,
      Deadlines deadlines) {
    this.consent = consent;
    this.atRest = atRest;
    this.trail = trail;
    this.consumers = consumers;
    this.producers = producers;
    this.topics = topics;
    this.start = new BatchStart(ds, stages, writer, router);
    this.statuses = statuses;
    this.mapper = mapper;
    this.metrics = metrics;
    this.messages =
        new MessageRun(
            topics, router, stages, noticeSources, writer, consent, consentGrace, deadlines);
  }

  @Override
  public void run() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = consumers.get();
          KafkaProducer<String, byte[]> p = producers.get()) {
        consumer = c;
        p.initTransactions();
        c.subscribe(List.of(topics.inbound()));
        transactionOpen = false;
        loop(c, p);
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        if (running) {
          LOG.errorf("pipeline restarting after %s", e.getClass().getSimpleName());
          sleep(1000);
        }
      }
    }
  }

  private void loop(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> p) {
    while (running) {
      lastLoop = System.nanoTime();
      ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
      if (records.isEmpty()) {
        continue;
      }
      Map<TopicPartition, Long> firstOffsets = new HashMap<>();
      for (TopicPartition tp : records.partitions()) {
        firstOffsets.put(tp, records.records(tp).get(0).offset());
      }
      try {
        processBatch(records, c, p);
        processed.addAndGet(records.count());
      } catch (org.apache.kafka.common.errors.ProducerFencedException
          | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
        // another instance with our transactional id took over: start again with a new producer
        throw e;
      } catch (Exception e) {
        if (e instanceof MessageRun.NotYetAccepted) {
          LOG.debugf("batch of %d waits for a consent change to be accepted", records.count());
        } else {
          LOG.warnf(
              "batch of %d not delivered (%s); will retry",
              records.count(), e.getClass().getSimpleName());
        }
        if (transactionOpen) {
          transactionOpen = false;
          try {
            p.abortTransaction();
          } catch (RuntimeException abortFailed) {
            throw new IllegalStateException("abort failed", abortFailed);
          }
        }
        firstOffsets.forEach(c::seek);
        sleep(500);
      }
    }
  }

  private void processBatch(
      ConsumerRecords<String, byte[]> records,
      KafkaConsumer<String, byte[]> c,
      KafkaProducer<String, byte[]> p)
      throws Exception {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    List<DeliveryStatusStore.Outcome> outcomes = new ArrayList<>();
    Set<UUID> messageIds = new LinkedHashSet<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<Inbound> batch = new ArrayList<>();
    List<AuditEvent> events = new ArrayList<>();
    java.time.Instant now = java.time.Instant.now();
    for (ConsumerRecord<String, byte[]> r : records) {
      offsets.put(
          new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      try {
        batch.add(Inbound.open(r, atRest, mapper));
      } catch (Exception e) {
        out.add(DeadLetters.of(topics, r, "unreadable-inbound-record"));
      }
    }
    messages.beginBatch(start.begin(batch));
    // messages are routed, redacted and sealed in parallel (sealing is the CPU cost), in order
    java.time.Instant at = now;
    boolean small = batch.size() < workers.getParallelism();
    List<MessageRun.Result> results =
        workers
            .submit(
                () -> batch.parallelStream().map(b -> messages.processOne(b, at, small)).toList())
            .get();
    for (MessageRun.Result r : results) {
      if (r.transientFailure() != null) {
        throw r.transientFailure(); // e.g. the database: retry the whole batch
      }
      Inbound b = r.inbound();
      if (r.poison() != null) {
        // a record the pipeline cannot process must not block every later message: set it aside
        LOG.warnf(
            "message %s set aside (%s)",
            b.envelope().messageId(), r.poison().getClass().getSimpleName());
        out.add(DeadLetters.of(topics, b.record(), "unprocessable"));
        events.add(
            AuditEvent.builder(AuditAction.WITHHELD, now)
                .actor(b.in().sender(), null)
                .message(b.envelope().messageId(), b.envelope().type(), b.envelope().caseRef())
                .reason("unprocessable")
                .build());
        continue;
      }
      messageIds.add(b.envelope().messageId());
      out.addAll(r.out());
      outcomes.addAll(r.outcomes());
      events.addAll(r.events());
    }
    // Consent is checked again here, under a shared lock on the subjects' consent rows held until
    // the
    // Kafka transaction has committed: a withdrawal accepted (202) while this batch was being
    // sealed
    // either waited for it to commit, or is seen now and its subject's copies are withheld.
    Set<String> refs = new LinkedHashSet<>();
    for (MessageRun.Result r : results) {
      if (r.poison() == null
          && ConsentGate.relies(r.inbound().envelope())
          && r.outcomes().stream().anyMatch(DeliveryStatusStore.Outcome::delivered)) {
        r.inbound().envelope().subjects().forEach(sub -> refs.add(sub.ref()));
      }
    }
    ConsentRegistry.DeliveryLock lock = refs.isEmpty() ? null : consent.lockForDelivery(refs);
    try {
      if (lock != null) {
        messages.lateConsent().withholdLate(results, lock.records(), out, outcomes, events, now);
      }
      // recorded first: nothing is delivered that the hub has not written down
      List<AuditEvent> stored =
          statuses.record(outcomes, messageIds, NO_LONGER_ROUTED, events, trail, messages::record);
      p.beginTransaction();
      transactionOpen = true;
      // a failed send fails commitTransaction below (the batch is then retried), so the
      // sends' futures are deliberately not awaited one by one
      for (ProducerRecord<String, byte[]> pr : out) {
        Future<RecordMetadata> unused = p.send(pr);
      }
      for (ProducerRecord<String, byte[]> pr : trail.records(stored)) {
        Future<RecordMetadata> unused = p.send(pr);
      }
      // (opened here, not while the batch is sealed: a transaction begun at once after the last
      // commit meets the coordinator still completing it, CONCURRENT_TRANSACTIONS, and waits)
      p.sendOffsetsToTransaction(offsets, c.groupMetadata());
      p.commitTransaction();
      transactionOpen = false;
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
    DeliveryRecords.count(metrics, outcomes);
  }

  /** Runs the loop on its own daemon thread, {@code safehub-pipeline}. */
  public synchronized void start() {
    if (thread == null) {
      thread = new Thread(this, "safehub-pipeline");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * Whether {@link #start} ran (the pipeline can be switched off with {@code
   * safehub.pipeline.enabled}).
   */
  public synchronized boolean started() {
    return thread != null;
  }

  /**
   * Stops the loop and waits up to 10 s for the batch in hand; safe to call if it never started.
   */
  @PreDestroy
  public void stopAndWait() {
    stop();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public void stop() {
    running = false;
    workers.shutdown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  public long processed() {
    return processed.get();
  }

  /** Nanoseconds since the loop last polled; a stuck pipeline fails the readiness check. */
  public long sinceLastLoopNanos() {
    return System.nanoTime() - lastLoop;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
