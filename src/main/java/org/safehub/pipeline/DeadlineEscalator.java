package org.safehub.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.config.DeadlineSettings;
import org.safehub.copy.Notice;
import org.safehub.copy.WithholdReason;
import org.safehub.crypto.CopySealer;
import org.safehub.db.Transactions;
import org.safehub.deadlines.Deadlines;
import org.safehub.deadlines.Escalation;
import org.safehub.delivery.DeadlineStore;
import org.safehub.delivery.EscalationOutbox;
import org.safehub.kafka.Topics;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.sealing.SealingCopyWriter;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * Escalates missed deadlines, driven by the hub's clock rather than by a message. Each poll, in one
 * PostgreSQL transaction, claims the copies due ({@link DeadlineStore#claimDue}, {@code FOR UPDATE
 * SKIP LOCKED}: two instances never take the same copy), and for each still unacknowledged one
 * seals the notices of this round ({@link EscalationNotices}, sealed by the pipeline's own {@link
 * SealingCopyWriter}), stores them in the outbox ({@link EscalationOutbox}), records the round and
 * its audit events, and commits: each round is decided, sealed and audited once. Then the {@link
 * EscalationRelay} sends the outbox to the delivery topics in one Kafka transaction together with a
 * marker of how far it got, so each notice reaches its recipient's topic exactly once, with a crash
 * at any point (after the round's commit, between the relay's Kafka commit and its clean-up) and
 * with several instances ({@code ExactlyOnceEscalationIT}, ADR 0010). Every poll also relays what
 * another instance or a crash left in the outbox. State lives only in PostgreSQL (and the relay's
 * position in Kafka): a hub stopped across a deadline escalates it once when it starts again, and
 * the next repeat counts from then.
 */
@Singleton
public final class DeadlineEscalator {

  /** The scheduler's identity of the poll (to pause or resume it). */
  public static final String SCHEDULE = "deadline-escalation";

  private static final Logger LOG = Logger.getLogger(DeadlineEscalator.class);

  private final DataSource ds;
  private final Clock clock;
  private final Deadlines deadlines;
  private final AgencyStatusStore statuses;
  private final AgencyKeyDirectory keys;
  private final CopySealer sealer;
  private final ObjectMapper mapper;
  private final AuditTrail trail;
  private final Topics topics;
  private final EscalationRelay relay;
  private final int maxPerPoll;
  private final MeterRegistry metrics;
  private final EscalationNotices notices;

  @Inject
  public DeadlineEscalator(
      DataSource ds,
      Clock clock,
      Deadlines deadlines,
      AgencyDirectory agencies,
      AgencyStatusStore statuses,
      AgencyKeyDirectory keys,
      CopySealer sealer,
      StrictJson json,
      AuditTrail trail,
      Topics topics,
      EscalationRelay relay,
      DeadlineSettings settings,
      MeterRegistry metrics) {
    this(
        ds,
        clock,
        deadlines,
        agencies,
        statuses,
        keys,
        sealer,
        json.mapper(),
        trail,
        topics,
        relay,
        settings.maxPerPoll(),
        metrics);
  }

  /** With every part given: for a second escalator on the same database (a test's instance). */
  public DeadlineEscalator(
      DataSource ds,
      Clock clock,
      Deadlines deadlines,
      AgencyDirectory agencies,
      AgencyStatusStore statuses,
      AgencyKeyDirectory keys,
      CopySealer sealer,
      ObjectMapper mapper,
      AuditTrail trail,
      Topics topics,
      EscalationRelay relay,
      int maxPerPoll,
      MeterRegistry metrics) {
    if (maxPerPoll < 1) {
      throw new IllegalArgumentException("safehub.deadlines.max-per-poll must be at least 1");
    }
    this.ds = ds;
    this.clock = clock;
    this.deadlines = deadlines;
    this.statuses = statuses;
    this.keys = keys;
    this.sealer = sealer;
    this.mapper = mapper;
    this.trail = trail;
    this.topics = topics;
    this.relay = relay;
    this.maxPerPoll = maxPerPoll;
    this.metrics = metrics;
    this.notices = new EscalationNotices(agencies, mapper);
  }

  @Scheduled(
      identity = SCHEDULE,
      every = "${safehub.deadlines.poll-every:5s}",
      delayed = "5s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    try {
      poll();
    } catch (Exception e) {
      LOG.warnf(
          "missed deadlines not escalated this time (%s); will retry", e.getClass().getName());
    }
  }

  /**
   * One look: escalates at most {@code max-per-poll} copies due by the hub's clock, relays the
   * outbox, and returns how many copies it claimed (escalated or closed). Cheap when nothing is due
   * or waiting: one indexed query that reads an empty range, and one that finds the outbox empty.
   * Throws if the relay fails after the round committed: its notices wait in the outbox for the
   * next look (of any instance).
   */
  public synchronized int poll() throws Exception {
    Instant now = clock.instant();
    Escalation escalation = deadlines.policy().escalation();
    int[] claimed = {0};
    List<AuditEvent> stored =
        Transactions.inTransaction(
            ds,
            c -> {
              List<DeadlineStore.Claimed> due = DeadlineStore.claimDue(c, now, maxPerPoll);
              claimed[0] = due.size();
              if (due.isEmpty()) {
                return List.of();
              }
              return escalate(c, due, escalation, now);
            });
    trail.forward(stored);
    relay.relay();
    return claimed[0];
  }

  private List<AuditEvent> escalate(
      Connection c, List<DeadlineStore.Claimed> due, Escalation escalation, Instant now)
      throws Exception {
    Set<String> suspended = statuses.suspended(c);
    SealingCopyWriter writer = new SealingCopyWriter(keys, sealer, mapper);
    writer.beginBatch();
    List<EscalationOutbox.Row> out = new ArrayList<>();
    List<AuditEvent> events = new ArrayList<>();
    Instant at = Instant.now();
    for (DeadlineStore.Claimed copy : due) {
      if (!copy.stillDelivered() || suspended.contains(copy.recipient())) {
        DeadlineStore.close(c, copy); // acknowledged or withheld meanwhile, or no longer trusted
        continue;
      }
      int round = copy.escalations();
      String lateBy = EscalationNotices.lateBy(copy, now).toString();
      List<Notice> toSend = new ArrayList<>();
      if (round == 0) {
        events.add(
            event(AuditAction.DEADLINE_MISSED, at, copy)
                .recipient(copy.recipient())
                .detail("deadline", copy.deadline().toString())
                .detail("lateBy", lateBy)
                .detail("priority", copy.priority().wire())
                .build());
        if (!notices.hiddenFromSender(copy)) {
          toSend.add(notices.missed(copy, now)); // it would name the victim's worker to a programme
        }
        metrics
            .counter("safehub.deadlines.missed", "agency", copy.recipient(), "type", copy.type())
            .increment();
      }
      toSend.addAll(notices.escalations(copy, escalation, round, now));
      for (Notice n : toSend) {
        WithholdReason withheld =
            suspended.contains(n.recipient()) ? WithholdReason.AGENCY_SUSPENDED : null;
        byte[] sealed = null;
        if (withheld == null) {
          try {
            sealed = writer.writeNotice(n);
          } catch (Exception e) {
            withheld = WithholdReason.SEALING_FAILED; // never sent in plaintext
          }
        }
        if (withheld != null) {
          // like any notice: withheld and audited, never replayed
          events.add(
              event(AuditAction.WITHHELD, at, copy)
                  .recipient(n.recipient())
                  .reason(withheld.wire())
                  .detail("notice", n.kind())
                  .build());
          continue;
        }
        out.add(
            new EscalationOutbox.Row(
                0, n.recipient(), copy.messageId(), n.kind(), writer.format(), sealed));
        if (EscalationNotices.ESCALATION.equals(n.kind())) {
          events.add(
              event(AuditAction.DEADLINE_ESCALATED, at, copy)
                  .recipient(n.recipient())
                  .detail("overdueAgency", copy.recipient())
                  .detail("round", Integer.toString(round))
                  .detail("lateBy", lateBy)
                  .build());
        }
      }
      Optional<Duration> repeat = escalation.repeatEvery(copy.priority());
      Instant next =
          repeat.isPresent() && round < escalation.maxRepeats() ? now.plus(repeat.get()) : null;
      DeadlineStore.escalated(c, copy, now, next);
    }
    // in the transaction that holds the rows: the round, its notices and its audit commit together
    EscalationOutbox.add(c, topics.prefix(), out);
    return trail.recordIn(c, events);
  }

  /** Closes this instance's relay producer (a later poll opens a new one). */
  public void closeProducer() {
    relay.close();
  }

  private static AuditEvent.Builder event(
      AuditAction action, Instant at, DeadlineStore.Claimed copy) {
    return AuditEvent.builder(action, at)
        .actor(copy.sender(), null)
        .message(copy.messageId(), copy.type(), copy.caseRef());
  }
}
