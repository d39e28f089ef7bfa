package org.safehub.ingress;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseReferrals;
import org.safehub.config.SafehubConfig;
import org.safehub.consent.ConsentRegistry;
import org.safehub.crypto.AtRestSealer;
import org.safehub.crypto.CryptoException;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;
import org.safehub.identity.Caller;
import org.safehub.kafka.Headers;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.routing.Router;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.StrictJson;

/**
 * Accepts a message: strict parse, schema validation, the sender's right to send the type, the
 * idempotency claim, and a durable write to the inbound topic. A receipt is returned only after
 * Kafka has acknowledged the write (acks=all).
 */
@Singleton
public final class PublishService {

  private final StrictJson json;
  private final Admission admission;
  private final ReceiptStore receipts;
  private final GroupCommit group;
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final Limits limits;
  private final AtRestSealer atRest;

  /** The ingress limits that are not the parser's. */
  public record Limits(
      int maxBodyBytes, int minJustificationLength, int produceTimeoutMs, int retryAfterSeconds) {}

  @Inject
  public PublishService(
      StrictJson json,
      SchemaCatalogue schemas,
      Router router,
      ReceiptStore receipts,
      GroupCommit group,
      @Identifier(KafkaClients.INGRESS_PRODUCER) KafkaProducer<String, byte[]> producer,
      Topics topics,
      AtRestSealer atRest,
      ConsentRegistry consent,
      SafehubConfig config,
      CaseReferrals cases) {
    this(
        json,
        schemas,
        router,
        receipts,
        group,
        producer,
        topics,
        limits(config.ingress()),
        atRest,
        consent,
        cases);
  }

  private static Limits limits(SafehubConfig.Ingress i) {
    return new Limits(
        i.maxBodyBytes(), i.minJustificationLength(), i.produceTimeoutMs(), i.retryAfterSeconds());
  }

  public PublishService(
      StrictJson json,
      SchemaCatalogue schemas,
      Router router,
      ReceiptStore receipts,
      GroupCommit group,
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      Limits limits,
      AtRestSealer atRest,
      ConsentRegistry consent,
      CaseReferrals cases) {
    this.atRest = atRest;
    this.json = json;
    this.admission = new Admission(json, schemas, router, consent, cases, limits);
    this.receipts = receipts;
    this.group = group;
    this.producer = producer;
    this.topics = topics;
    this.limits = limits;
  }

  /** The outcome of a publish that was not refused. */
  public record Accepted(Receipt receipt, boolean replay, String type) {}

  /** One message's result in a batch: accepted, or the refusal it alone gets. */
  public record Outcome(Accepted accepted, HubProblem refused) {}

  public Accepted publish(Caller caller, byte[] body) {
    Admission.Admitted a = admission.admit(caller, body);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    ReceiptStore.Claim claim;
    try {
      claim = group.claim(a.claimRequest(now));
    } catch (SQLException e) {
      throw unrecorded();
    }
    Pending p = afterClaim(caller, a, claim);
    if (p.done() != null) {
      return p.done();
    }
    try {
      p.sent().get(limits.produceTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      receipts.release(a.envelope().messageId());
      throw HubProblem.unavailable(
          "Interrupted before the message was stored.", limits.retryAfterSeconds());
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      receipts.release(a.envelope().messageId());
      throw notStored();
    }
    confirm(a, p);
    return p.accepted();
  }

  /**
   * Publishes the messages of a batch, each with its own checks, idempotency, consent, routing and
   * audit, but with one claim transaction and one confirmation transaction for them all (with
   * whatever else is in flight), and their Kafka writes in flight together. Results are in the
   * order of {@code bodies}; one message's refusal never refuses another.
   */
  public List<Outcome> publishBatch(Caller caller, List<byte[]> bodies) {
    int n = bodies.size();
    Outcome[] out = new Outcome[n];
    Admission.Checked[] checked = new Admission.Checked[n];
    for (int i = 0; i < n; i++) {
      if (bodies.get(i) == null) {
        out[i] = new Outcome(null, notAMessage());
        continue;
      }
      try {
        checked[i] = admission.check(caller, bodies.get(i));
      } catch (HubProblem e) {
        out[i] = new Outcome(null, e);
      }
    }
    Map<String, CaseFile> cases;
    try {
      cases = admission.casesOf(Arrays.stream(checked).filter(Objects::nonNull).toList());
    } catch (HubProblem e) {
      for (int i = 0; i < n; i++) {
        if (checked[i] != null) {
          out[i] = new Outcome(null, e);
        }
      }
      return List.of(out);
    }
    Admission.Admitted[] admitted = new Admission.Admitted[n];
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (checked[i] == null) {
        continue;
      }
      try {
        String caseRef = checked[i].envelope().caseRef();
        admitted[i] = admission.decide(checked[i], Optional.ofNullable(cases.get(caseRef)));
        live.add(i);
      } catch (HubProblem e) {
        out[i] = new Outcome(null, e);
      }
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    List<ReceiptStore.Claim> claims = List.of();
    try {
      if (!live.isEmpty()) {
        claims = group.claimAll(live.stream().map(i -> admitted[i].claimRequest(now)).toList());
      }
    } catch (SQLException e) {
      live.forEach(i -> out[i] = new Outcome(null, unrecorded()));
      return List.of(out);
    }
    Pending[] pending = new Pending[n];
    for (int k = 0; k < live.size(); k++) {
      int i = live.get(k);
      try {
        pending[i] = afterClaim(caller, admitted[i], claims.get(k));
        if (pending[i].done() != null) {
          out[i] = new Outcome(pending[i].done(), null);
        }
      } catch (HubProblem e) {
        out[i] = new Outcome(null, e);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.produceTimeoutMs());
    List<ReceiptStore.ConfirmRequest> confirms = new ArrayList<>();
    List<Integer> consentChanges = new ArrayList<>();
    for (int i : live) {
      if (out[i] != null) {
        continue;
      }
      try {
        pending[i].sent().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        receipts.release(admitted[i].envelope().messageId());
        out[i] = new Outcome(null, notStored());
        continue;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        receipts.release(admitted[i].envelope().messageId());
        out[i] = new Outcome(null, notStored());
        continue;
      }
      if (admitted[i].consentChange() != null) {
        consentChanges.add(i);
      } else {
        confirms.add(pending[i].confirmation());
        out[i] = new Outcome(pending[i].accepted(), null);
      }
    }
    try {
      group.confirmAll(confirms);
    } catch (SQLException e) {
      // Kafka has them; the pipeline will deliver them (as for a single publish)
    }
    for (int i : consentChanges) {
      try {
        confirm(admitted[i], pending[i]);
        out[i] = new Outcome(pending[i].accepted(), null);
      } catch (HubProblem e) {
        out[i] = new Outcome(null, e);
      }
    }
    return List.of(out);
  }

  /**
   * A claimed message on its way: either already answered ({@code done}: a replay), or written to
   * Kafka ({@code sent}) and to be confirmed.
   */
  private record Pending(
      Accepted done, Future<?> sent, Accepted accepted, ReceiptStore.ConfirmRequest confirmation) {}

  /** After the claim: refuse, answer a replay, or seal the message and start its durable write. */
  private Pending afterClaim(Caller caller, Admission.Admitted a, ReceiptStore.Claim claim) {
    Envelope envelope = a.envelope();
    HubProblem refused = Admission.refusal(claim);
    if (refused != null) {
      throw refused;
    }
    if (claim instanceof ReceiptStore.Claim.Replay r) {
      return new Pending(
          new Accepted(new Receipt(envelope.messageId(), r.receivedAt()), true, envelope.type()),
          null,
          null,
          null);
    }
    Instant receivedAt = Admission.receivedAt(claim);
    List<AuditEvent> events;
    try {
      events = Admission.acceptedEvents(caller, a, receivedAt);
    } catch (HubProblem e) {
      receipts.release(envelope.messageId());
      throw e;
    }
    String key = envelope.messageId().toString();
    byte[] value;
    try {
      // sealed for the hub itself: no topic holds plaintext personal data
      value =
          atRest.seal(
              new InboundRecord(a.sender().id(), receivedAt, a.message()).encode(json.mapper()),
              AtRestSealer.aad(topics.inbound(), key.getBytes(StandardCharsets.UTF_8)));
    } catch (CryptoException e) {
      receipts.release(envelope.messageId());
      throw HubProblem.unavailable(
          "The message could not be sealed for storage; it was not accepted.",
          limits.retryAfterSeconds());
    }
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            topics.inbound(),
            null,
            key,
            value,
            Headers.of(
                Headers.MESSAGE_ID,
                key,
                Headers.TYPE,
                envelope.type(),
                Headers.SENDER,
                a.sender().id()));
    Future<?> sent;
    try {
      sent = producer.send(record);
    } catch (RuntimeException e) {
      receipts.release(envelope.messageId());
      throw notStored();
    }
    return new Pending(
        null,
        sent,
        new Accepted(new Receipt(envelope.messageId(), receivedAt), false, envelope.type()),
        new ReceiptStore.ConfirmRequest(envelope.messageId(), a.consentChange(), events));
  }

  private void confirm(Admission.Admitted a, Pending p) {
    try {
      group.confirm(p.confirmation());
    } catch (SQLException e) {
      if (a.consentChange() != null) {
        // the change, its receipt and its audit events were not committed: none of them holds, and
        // the pipeline sets the message aside (its receipt is given back), so a re-send starts
        // afresh
        receipts.release(a.envelope().messageId());
        if (e instanceof ConsentRegistry.RoleConflict) {
          throw Admission.subjectMismatch();
        }
        throw HubProblem.unavailable(
            "The consent change could not be recorded; it was not accepted. Send it again.",
            limits.retryAfterSeconds());
      }
      // Kafka has it; the pipeline will deliver it. A re-send writes it again and recipients dedupe
      // by messageId.
    }
  }

  private static HubProblem notAMessage() {
    return new HubProblem(
        400,
        "malformed-json",
        "Malformed JSON",
        "Each element of a batch must be a message (a JSON object).",
        List.of(new Violation("", "type", "must be a JSON object")),
        null);
  }

  private HubProblem unrecorded() {
    return HubProblem.unavailable(
        "The hub cannot record the message right now; try again.", limits.retryAfterSeconds());
  }

  private HubProblem notStored() {
    return HubProblem.unavailable(
        "The message could not be stored durably; it was not accepted. Try again.",
        limits.retryAfterSeconds());
  }
}
