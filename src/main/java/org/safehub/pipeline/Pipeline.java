package org.safehub.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyType;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.Notice;
import org.safehub.copy.NoticeGate;
import org.safehub.copy.NoticeSource;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.CopyWriter;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;
import org.safehub.kafka.Headers;
import org.safehub.kafka.Topics;
import org.safehub.routing.RecipientOutcome;
import org.safehub.routing.Router;
import org.safehub.routing.WithholdReason;

/**
 * The consume-route-deliver loop. Each batch of inbound records becomes, in one Kafka transaction,
 * each recipient's copy on its own delivery topic plus the consumed offsets; the decisions are
 * recorded in PostgreSQL before the transaction commits. A crash at any point leaves either the whole
 * batch delivered and its offsets committed, or neither. The only class that knows the stage order:
 * route, then each {@link CopyStage}, then the {@link CopyWriter}.
 */
public final class Pipeline implements Runnable {

  private static final Logger LOG = Logger.getLogger(Pipeline.class);

  private final Supplier<KafkaConsumer<String, byte[]>> consumers;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private final Topics topics;
  private final Router router;
  private final List<CopyStage> stages;
  private final List<NoticeSource> noticeSources;
  private final CopyWriter writer;
  private final DeliveryStatusStore statuses;
  private final ObjectMapper mapper;
  private final io.micrometer.core.instrument.MeterRegistry metrics;
  private final org.safehub.crypto.AtRestSealer atRest;
  private final org.safehub.trail.AuditTrail trail;
  private final org.safehub.consent.ConsentRegistry consent;
  private final Duration consentGrace;
  private final AtomicLong processed = new AtomicLong();
  private final java.util.concurrent.ForkJoinPool workers =
      new java.util.concurrent.ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile long lastLoop = System.nanoTime();
  private boolean transactionOpen;

  public Pipeline(
      Supplier<KafkaConsumer<String, byte[]>> consumers,
      Supplier<KafkaProducer<String, byte[]>> producers,
      Topics topics,
      Router router,
      List<CopyStage> stages,
      List<NoticeSource> noticeSources,
      CopyWriter writer,
      DeliveryStatusStore statuses,
      ObjectMapper mapper,
      io.micrometer.core.instrument.MeterRegistry metrics,
      org.safehub.crypto.AtRestSealer atRest,
      org.safehub.trail.AuditTrail trail,
      org.safehub.consent.ConsentRegistry consent,
      Duration consentGrace) {
    this.consent = consent;
    this.consentGrace = consentGrace;
    this.atRest = atRest;
    this.trail = trail;
    this.consumers = consumers;
    this.producers = producers;
    this.topics = topics;
    this.router = router;
    this.stages = List.copyOf(stages);
    this.noticeSources = List.copyOf(noticeSources);
    this.writer = writer;
    this.statuses = statuses;
    this.mapper = mapper;
    this.metrics = metrics;
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
      } catch (org.apache.kafka.common.errors.ProducerFencedException | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
        // another instance with our transactional id took over: start again with a new producer
        throw e;
      } catch (Exception e) {
        if (e instanceof NotYetAccepted) {
          LOG.debugf("batch of %d waits for a consent change to be accepted", records.count());
        } else {
          LOG.warnf("batch of %d not delivered (%s); will retry", records.count(), e.getClass().getSimpleName());
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

  /** A consent change in the inbound topic whose publisher has not yet been answered: the batch waits for it. */
  private static final class NotYetAccepted extends Exception {
    NotYetAccepted() {
      super("consent change not yet accepted", null, false, false);
    }
  }

  /** A decoded inbound record. */
  private record Inbound(ConsumerRecord<String, byte[]> record, InboundRecord in, Envelope envelope) {}

  private void processBatch(ConsumerRecords<String, byte[]> records, KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> p)
      throws Exception {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    List<DeliveryStatusStore.Outcome> outcomes = new ArrayList<>();
    Set<UUID> messageIds = new LinkedHashSet<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<Inbound> batch = new ArrayList<>();
    List<AuditEvent> events = new ArrayList<>();
    java.time.Instant now = java.time.Instant.now();
    for (ConsumerRecord<String, byte[]> r : records) {
      offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      try {
        byte[] plain = atRest.open(r.value(), org.safehub.crypto.AtRestSealer.aad(r.topic(), r.key() == null ? new byte[0] : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        InboundRecord in = InboundRecord.decode(plain, mapper);
        batch.add(new Inbound(r, in, Envelope.of(in.message())));
      } catch (Exception e) {
        out.add(deadLetter(r, "unreadable-inbound-record"));
      }
    }
    List<Envelope> envelopes = batch.stream().map(Inbound::envelope).toList();
    for (CopyStage stage : stages) {
      stage.beginBatch(envelopes);
    }
    writer.beginBatch();
    // messages are routed, redacted and sealed in parallel (sealing is the CPU cost); results keep their order
    java.time.Instant at = now;
    List<Result> results = workers.submit(() -> batch.parallelStream().map(b -> processOne(b, at)).toList()).get();
    for (Result r : results) {
      if (r.transientFailure() != null) {
        throw r.transientFailure(); // e.g. the database: retry the whole batch
      }
      Inbound b = r.inbound();
      if (r.poison() != null) {
        // a record the pipeline cannot process must not block every later message: set it aside
        LOG.warnf("message %s set aside (%s)", b.envelope().messageId(), r.poison().getClass().getSimpleName());
        out.add(deadLetter(b.record(), "unprocessable"));
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
    // Consent is checked again here, under a shared lock on the subjects' consent rows held until the
    // Kafka transaction has committed: a withdrawal accepted (202) while this batch was being sealed
    // either waited for it to commit, or is seen now and its subject's copies are withheld.
    Set<String> refs = new LinkedHashSet<>();
    for (Result r : results) {
      if (r.poison() == null && org.safehub.consent.ConsentGate.relies(r.inbound().envelope()) && r.outcomes().stream().anyMatch(DeliveryStatusStore.Outcome::delivered)) {
        r.inbound().envelope().subjects().forEach(sub -> refs.add(sub.ref()));
      }
    }
    org.safehub.consent.ConsentRegistry.DeliveryLock lock = refs.isEmpty() ? null : consent.lockForDelivery(refs);
    try {
      if (lock != null) {
        withholdLate(results, lock.records(), out, outcomes, events, now);
      }
      // recorded first: nothing is delivered that the hub has not written down
      List<AuditEvent> stored = statuses.record(outcomes, messageIds, WithholdReason.NO_LONGER_ROUTED, events, trail);
      p.beginTransaction();
      transactionOpen = true;
      for (ProducerRecord<String, byte[]> pr : out) {
        p.send(pr);
      }
      for (ProducerRecord<String, byte[]> pr : trail.records(stored)) {
        p.send(pr);
      }
      p.sendOffsetsToTransaction(offsets, c.groupMetadata());
      p.commitTransaction();
      transactionOpen = false;
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
    // counters carry reason codes only
    for (DeliveryStatusStore.Outcome o : outcomes) {
      metrics.counter(o.delivered() ? "safehub.copies.delivered" : "safehub.copies.withheld", "reason", o.delivered() ? "none" : o.reason().wire()).increment();
    }
  }

  /**
   * Turns each delivered copy of a consent-based message that the consent read under the lock no longer
   * allows into a withheld one: its record is not sent, its decision and audit event say why.
   */
  private void withholdLate(
      List<Result> results, Map<String, org.safehub.consent.ConsentRecord> records, List<ProducerRecord<String, byte[]>> out,
      List<DeliveryStatusStore.Outcome> outcomes, List<AuditEvent> events, java.time.Instant now) {
    for (Result r : results) {
      Envelope e = r.inbound().envelope();
      if (r.poison() != null || !org.safehub.consent.ConsentGate.relies(e)) {
        continue;
      }
      Map<String, WithholdReason> late = new HashMap<>();
      for (DeliveryStatusStore.Outcome o : r.outcomes()) {
        if (o.delivered()) {
          AgencyType type = router.agencies().find(o.recipient()).map(a -> a.type()).orElse(null);
          WithholdReason w = org.safehub.consent.ConsentGate.decide(e, type, records);
          if (w != null) {
            late.put(o.recipient(), w);
          }
        }
      }
      if (late.isEmpty()) {
        continue;
      }
      UUID id = e.messageId();
      out.removeIf(pr -> id.toString().equals(pr.key()) && late.containsKey(topics.agencyOf(pr.topic())));
      outcomes.replaceAll(
          o -> o.messageId().equals(id) && o.delivered() && late.containsKey(o.recipient())
              ? new DeliveryStatusStore.Outcome(id, o.recipient(), false, late.get(o.recipient()))
              : o);
      events.replaceAll(
          ev -> ev.action() == AuditAction.DELIVERED && id.equals(ev.messageId()) && late.containsKey(ev.recipient())
              ? event(AuditAction.WITHHELD, now, r.inbound().in().sender(), e, null).recipient(ev.recipient()).reason(late.get(ev.recipient()).wire()).build()
              : ev);
    }
  }

  /** What processing one message produced, or how it failed. */
  private record Result(
      Inbound inbound,
      List<ProducerRecord<String, byte[]>> out,
      List<DeliveryStatusStore.Outcome> outcomes,
      List<AuditEvent> events,
      RuntimeException poison,
      Exception transientFailure) {}

  private Result processOne(Inbound b, java.time.Instant now) {
    List<ProducerRecord<String, byte[]>> mOut = new ArrayList<>();
    List<DeliveryStatusStore.Outcome> mOutcomes = new ArrayList<>();
    List<AuditEvent> mEvents = new ArrayList<>();
    try {
      process(b, now, mOut, mOutcomes, mEvents);
      return new Result(b, mOut, mOutcomes, mEvents, null, null);
    } catch (RuntimeException e) {
      return new Result(b, List.of(), List.of(), List.of(), e, null);
    } catch (Exception e) {
      return new Result(b, List.of(), List.of(), List.of(), null, e);
    }
  }

  /** Routes one message and runs the stages for each recipient, adding its copies, decisions and audit events. */
  private void process(
      Inbound b, java.time.Instant now, List<ProducerRecord<String, byte[]>> mOut, List<DeliveryStatusStore.Outcome> mOutcomes, List<AuditEvent> mEvents)
      throws Exception {
    InboundRecord in = b.in();
    Envelope envelope = b.envelope();
    if (org.safehub.consent.ConsentChange.TYPE.equals(envelope.type())) {
      // a consent change is news only once it took effect (with its receipt); one refused never is
      switch (consent.acceptance(envelope.messageId(), consentGrace)) {
        case APPLIED -> {}
        case PENDING -> throw new NotYetAccepted(); // retry the batch
        case NOT_ACCEPTED -> {
          mEvents.add(event(AuditAction.WITHHELD, now, in.sender(), envelope, null).reason("not-accepted").build());
          return;
        }
      }
    }
    String justification = envelope.legalBasis().isConsent() ? null : in.message().path("legalBasis").path("justification").asText(null);
    List<RecipientOutcome> routed = router.route(envelope, in.sender());
    mEvents.add(event(AuditAction.ROUTED, now, in.sender(), envelope, justification).detail("candidates", Integer.toString(routed.size())).build());
    for (RecipientOutcome o : routed) {
      if (o instanceof RecipientOutcome.Withhold w) {
        mOutcomes.add(new DeliveryStatusStore.Outcome(envelope.messageId(), w.agencyId(), false, w.reason()));
        mEvents.add(event(AuditAction.WITHHELD, now, in.sender(), envelope, justification).recipient(w.agencyId()).reason(w.reason().wire()).build());
        continue;
      }
      RecipientOutcome.Deliver d = (RecipientOutcome.Deliver) o;
      Copy copy = new Copy(envelope, in.sender(), in.receivedAt(), d.agency(), in.message().deepCopy(), List.of());
      WithholdReason withheld = null;
      for (CopyStage stage : stages) {
        StageOutcome so;
        try {
          so = stage.apply(copy);
        } catch (RuntimeException e) {
          so = new StageOutcome.Withhold(WithholdReason.POLICY_ERROR); // fail closed
        }
        if (so instanceof StageOutcome.Withhold w) {
          withheld = w.reason();
          break;
        }
        copy = ((StageOutcome.Pass) so).copy();
      }
      byte[] bytes = null;
      if (withheld == null) {
        try {
          bytes = writer.write(copy);
        } catch (Exception e) {
          withheld = WithholdReason.SEALING_FAILED;
        }
      }
      if (withheld != null) {
        mOutcomes.add(new DeliveryStatusStore.Outcome(envelope.messageId(), d.agencyId(), false, withheld));
        mEvents.add(event(AuditAction.WITHHELD, now, in.sender(), envelope, justification).recipient(d.agencyId()).reason(withheld.wire()).build());
        continue;
      }
      mOut.add(record(d.agencyId(), envelope.messageId().toString(), envelope.type(), in.sender(), writer.format(), bytes));
      mOutcomes.add(new DeliveryStatusStore.Outcome(envelope.messageId(), d.agencyId(), true, null));
      // one event per delivered copy: redacted categories (names only), sealed, delivered
      mEvents.add(
          event(AuditAction.DELIVERED, now, in.sender(), envelope, justification)
              .recipient(d.agencyId())
              .categories(copy.removedCategories())
              .detail("format", writer.format())
              .build());
    }
    for (NoticeSource source : noticeSources) {
      for (Notice n : source.noticesFor(envelope, in.message(), in.sender())) {
        if (router.agencies().find(n.recipient()).map(a -> a.active()).orElse(false)) {
          WithholdReason withheld = noticeWithheld(n);
          if (withheld != null) {
            // like a copy: withheld and audited, never replayed
            mEvents.add(event(AuditAction.WITHHELD, now, in.sender(), envelope, justification).recipient(n.recipient()).reason(withheld.wire())
                .detail("notice", n.kind()).build());
            continue;
          }
          try {
            mOut.add(record(n.recipient(), envelope.messageId().toString(), n.kind(), "safehub", writer.format(), writer.writeNotice(n)));
          } catch (Exception e) {
            LOG.warnf("notice %s for %s not sealed (%s)", n.kind(), n.recipient(), e.getClass().getSimpleName());
          }
        }
      }
    }
      }

  /** The first stage's reason to withhold a notice, or null; a stage that fails withholds it (fail closed). */
  private WithholdReason noticeWithheld(Notice n) {
    for (CopyStage stage : stages) {
      if (stage instanceof NoticeGate gate) {
        try {
          WithholdReason r = gate.withhold(n);
          if (r != null) {
            return r;
          }
        } catch (RuntimeException e) {
          return WithholdReason.POLICY_ERROR;
        }
      }
    }
    return null;
  }

  private static AuditEvent.Builder event(AuditAction action, java.time.Instant now, String sender, Envelope e, String justification) {
    return AuditEvent.builder(action, now).actor(sender, null).message(e.messageId(), e.type(), e.caseRef()).legalBasis(e.legalBasis().wire(), justification);
  }

  private ProducerRecord<String, byte[]> record(String agency, String messageId, String type, String sender, String format, byte[] value) {
    return new ProducerRecord<>(
        topics.delivery(agency),
        null,
        messageId,
        value,
        Headers.of(Headers.MESSAGE_ID, messageId, Headers.TYPE, type, Headers.SENDER, sender, Headers.RECIPIENT, agency, Headers.FORMAT, format));
  }

  private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
    LOG.warnf("inbound record %s-%d@%d sent to dead letter: %s", r.topic(), r.partition(), r.offset(), reason);
    return new ProducerRecord<>(
        topics.deadLetter(),
        null,
        r.key(),
        r.value(),
        Headers.of(Headers.REASON, reason, "safehub-source", r.topic() + "-" + r.partition() + "@" + r.offset()));
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
