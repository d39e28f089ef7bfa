package org.safehub.pipeline;

import static org.safehub.policy.SafetyGuard.PERPETRATOR_PROGRAMME;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CasesUnavailable;
import org.safehub.cases.PartnerFirst;
import org.safehub.consent.ConsentChange;
import org.safehub.consent.ConsentRegistry;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.CopyWriter;
import org.safehub.copy.Notice;
import org.safehub.copy.NoticeGate;
import org.safehub.copy.NoticeSource;
import org.safehub.copy.Recipient;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.deadlines.Deadlines;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;
import org.safehub.envelope.Priority;
import org.safehub.kafka.Topics;
import org.safehub.routing.MaracReferrals;
import org.safehub.routing.RecipientOutcome;
import org.safehub.routing.ReferralHistory;
import org.safehub.routing.Router;

/**
 * What the pipeline does for one message, in the order of {@link Stages}: route it, run the stages
 * for each recipient's copy, write (seal) each copy that passed, and add the hub's notices about
 * it; each copy's decision and audit event come with it. Called concurrently for the messages of a
 * batch (see {@link CopyStage}); holds no state of its own between calls but the batch's cases and
 * MARAC referral history.
 */
final class MessageRun {

  private static final Logger LOG = Logger.getLogger(MessageRun.class);

  private final Topics topics;
  private final Router router;
  private final List<CopyStage> stages;
  private final List<NoticeSource> noticeSources;
  private final CopyWriter writer;
  private final ConsentRegistry consent;
  private final Duration consentGrace;
  private final Deadlines deadlines;
  private volatile MaracReferrals.Batch referrals = MaracReferrals.Batch.NONE;
  private volatile Map<String, CaseFile> cases = Map.of();

  MessageRun(
      Topics topics,
      Router router,
      List<CopyStage> stages,
      List<NoticeSource> noticeSources,
      CopyWriter writer,
      ConsentRegistry consent,
      Duration consentGrace,
      Deadlines deadlines) {
    this.deadlines = deadlines;
    this.topics = topics;
    this.router = router;
    this.stages = List.copyOf(stages);
    this.noticeSources = List.copyOf(noticeSources);
    this.writer = writer;
    this.consent = consent;
    this.consentGrace = consentGrace;
  }

  /**
   * A consent change in the inbound topic whose publisher has not yet been answered: the batch
   * waits for it.
   */
  static final class NotYetAccepted extends Exception {
    NotYetAccepted() {
      super("consent change not yet accepted", null, false, false);
    }
  }

  /** The late consent check of a batch's copies ({@link LateConsent}). */
  LateConsent lateConsent() {
    return new LateConsent(topics, router.agencies());
  }

  /** The batch's cases and MARAC referral history, read before any of its messages runs. */
  void beginBatch(BatchStart.Routing routing) {
    cases = routing.cases();
    referrals = routing.referrals();
  }

  /** Records the batch's MARAC referrals on {@code c}, in the transaction of its decisions. */
  void record(Connection c) throws SQLException {
    referrals.record(c);
  }

  /** What processing one message produced, or how it failed. */
  record Result(
      Inbound inbound,
      List<ProducerRecord<String, byte[]>> out,
      List<DeliveryStatusStore.Outcome> outcomes,
      List<AuditEvent> events,
      RuntimeException poison,
      Exception transientFailure) {}

  /**
   * Processes one message of a batch; with {@code copiesInParallel} (a batch smaller than the
   * workers, as at low load) its copies are sealed in parallel with each other too.
   */
  Result processOne(Inbound b, Instant now, boolean copiesInParallel) {
    List<ProducerRecord<String, byte[]>> mOut = new ArrayList<>();
    List<DeliveryStatusStore.Outcome> mOutcomes = new ArrayList<>();
    List<AuditEvent> mEvents = new ArrayList<>();
    try {
      // a perpetrator programme (or an unknown sender) may not learn what the hub knows of a victim
      var from = router.agencies().find(b.in().sender());
      boolean learns = from.isPresent() && !PERPETRATOR_PROGRAMME.equals(from.get().type());
      process(
          b,
          now,
          referrals.history(b.in().receivedAt(), learns),
          copiesInParallel,
          mOut,
          mOutcomes,
          mEvents);
      return new Result(b, mOut, mOutcomes, mEvents, null, null);
    } catch (CasesUnavailable e) {
      return new Result(b, List.of(), List.of(), List.of(), null, e); // retry the batch
    } catch (RuntimeException e) {
      return new Result(b, List.of(), List.of(), List.of(), e, null);
    } catch (Exception e) {
      return new Result(b, List.of(), List.of(), List.of(), null, e);
    }
  }

  /**
   * Routes one message and runs the stages for each recipient, adding its copies, decisions and
   * audit events.
   */
  private void process(
      Inbound b,
      Instant now,
      ReferralHistory history,
      boolean copiesInParallel,
      List<ProducerRecord<String, byte[]>> mOut,
      List<DeliveryStatusStore.Outcome> mOutcomes,
      List<AuditEvent> mEvents)
      throws Exception {
    InboundRecord in = b.in();
    Envelope envelope = b.envelope();
    if (ConsentChange.TYPE.equals(envelope.type())) {
      // a consent change is news only once it took effect (with its receipt); one refused never is
      switch (consent.acceptance(envelope.messageId(), consentGrace)) {
        case APPLIED -> {}
        case PENDING -> throw new NotYetAccepted(); // retry the batch
        case NOT_ACCEPTED -> {
          mEvents.add(
              event(AuditAction.WITHHELD, now, in.sender(), envelope, null)
                  .reason("not-accepted")
                  .build());
          return;
        }
      }
    }
    String justification =
        envelope.legalBasis().isConsent()
            ? null
            : in.message().path("legalBasis").path("justification").asText(null);
    List<RecipientOutcome> routed =
        router.route(
            envelope,
            in.message(),
            in.sender(),
            history,
            Optional.ofNullable(cases.get(envelope.caseRef())));
    mEvents.add(
        event(AuditAction.ROUTED, now, in.sender(), envelope, justification)
            .detail("candidates", Integer.toString(routed.size()))
            .build());
    // in a small batch each copy is redacted and sealed alongside the message's other copies
    // (sealing is the cost: a lone message at low load would otherwise seal its copies one after
    // another; a full batch keeps every worker busy with whole messages); in routing order
    List<Prepared> prepared =
        (copiesInParallel ? routed.parallelStream() : routed.stream())
            .map(o -> o instanceof RecipientOutcome.Deliver d ? prepare(d, envelope, in) : null)
            .toList();
    for (int i = 0; i < routed.size(); i++) {
      RecipientOutcome o = routed.get(i);
      if (o instanceof RecipientOutcome.Withhold w) {
        mOutcomes.add(
            new DeliveryStatusStore.Outcome(
                envelope.messageId(), w.agencyId(), false, w.reason(), null, null, w.via()));
        mEvents.add(
            event(AuditAction.WITHHELD, now, in.sender(), envelope, justification)
                .recipient(w.agencyId())
                .reason(w.reason().wire())
                .detail("via", w.via().wire())
                .build());
        continue;
      }
      RecipientOutcome.Deliver d = (RecipientOutcome.Deliver) o;
      Prepared p = prepared.get(i);
      Priority priority = p.priority();
      Copy copy = p.copy();
      WithholdReason withheld = p.withheld();
      byte[] bytes = p.bytes();
      Instant deadline = p.deadline();
      if (withheld != null) {
        mOutcomes.add(
            new DeliveryStatusStore.Outcome(
                envelope.messageId(), d.agencyId(), false, withheld, null, null, d.via()));
        mEvents.add(
            event(AuditAction.WITHHELD, now, in.sender(), envelope, justification)
                .recipient(d.agencyId())
                .reason(withheld.wire())
                .build());
        continue;
      }
      mOut.add(
          record(
              d.agencyId(),
              envelope.messageId().toString(),
              envelope.type(),
              in.sender(),
              writer.format(),
              bytes));
      mOutcomes.add(
          new DeliveryStatusStore.Outcome(
              envelope.messageId(),
              d.agencyId(),
              true,
              null,
              deadline,
              new DeliveryStatusStore.Due(
                  in.sender(),
                  envelope.type(),
                  envelope.caseRef(),
                  priority,
                  envelope.area(),
                  in.receivedAt()),
              d.via()));
      // one event per delivered copy: redacted categories (names only), sealed, delivered
      AuditEvent.Builder delivered =
          event(AuditAction.DELIVERED, now, in.sender(), envelope, justification)
              .recipient(d.agencyId())
              .categories(copy.removedCategories())
              .detail("format", writer.format())
              .detail("via", d.via().wire());
      if (priority != envelope.priority()) {
        delivered.detail("raisedPriority", priority.wire());
      }
      mEvents.add(delivered.build());
    }
    for (NoticeSource source : noticeSources) {
      for (Notice n : source.noticesFor(envelope, in.message(), in.sender())) {
        if (router.agencies().find(n.recipient()).map(a -> a.active()).orElse(false)) {
          WithholdReason withheld = noticeWithheld(n);
          if (withheld != null) {
            // like a copy: withheld and audited, never replayed
            mEvents.add(
                event(AuditAction.WITHHELD, now, in.sender(), envelope, justification)
                    .recipient(n.recipient())
                    .reason(withheld.wire())
                    .detail("notice", n.kind())
                    .build());
            continue;
          }
          try {
            mOut.add(
                record(
                    n.recipient(),
                    envelope.messageId().toString(),
                    n.kind(),
                    DeliveryRecords.HUB,
                    writer.format(),
                    writer.writeNotice(n)));
          } catch (Exception e) {
            LOG.warnf(
                "notice %s for %s not sealed (%s)",
                n.kind(), n.recipient(), e.getClass().getSimpleName());
          }
        }
      }
    }
  }

  /** One recipient's copy after the stages, its deadline and its sealed bytes, or why withheld. */
  private record Prepared(
      Priority priority, Copy copy, WithholdReason withheld, Instant deadline, byte[] bytes) {}

  /** Runs the stages for one recipient, works out its deadline and seals its copy. */
  private Prepared prepare(RecipientOutcome.Deliver d, Envelope envelope, InboundRecord in) {
    Priority priority =
        d.raisedPriority() ? PartnerFirst.raise(envelope.priority()) : envelope.priority();
    Copy copy =
        new Copy(
            envelope,
            in.sender(),
            in.receivedAt(),
            new Recipient(d.agency().id(), d.agency().type().name()),
            PartnerFirst.at(in.message().deepCopy(), priority),
            List.of(),
            Set.of(),
            d.flags());
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
    Instant deadline = null;
    if (withheld == null && deadlines != null) {
      try {
        // from the receipt's accepted time, so a retried batch records the same deadline
        deadline =
            deadlines
                .policy()
                .deadline(priority, envelope.type(), d.agency().type().name(), in.receivedAt())
                .orElse(null);
      } catch (RuntimeException e) {
        withheld = WithholdReason.POLICY_ERROR; // fail closed
      }
    }
    if (withheld == null) {
      try {
        bytes = writer.write(copy);
      } catch (Exception e) {
        withheld = WithholdReason.SEALING_FAILED;
      }
    }
    return new Prepared(priority, copy, withheld, deadline, bytes);
  }

  /**
   * The first stage's reason to withhold a notice, or null; a stage that fails withholds it (fail
   * closed).
   */
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

  static AuditEvent.Builder event(
      AuditAction action, Instant now, String sender, Envelope e, String justification) {
    return AuditEvent.builder(action, now)
        .actor(sender, null)
        .message(e.messageId(), e.type(), e.caseRef())
        .legalBasis(e.legalBasis().wire(), justification);
  }

  private ProducerRecord<String, byte[]> record(
      String agency, String messageId, String type, String sender, String format, byte[] value) {
    return DeliveryRecords.of(topics, agency, messageId, type, sender, format, value);
  }
}
