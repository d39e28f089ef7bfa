package org.safehub.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safehub.agencies.Agency;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseOpening;
import org.safehub.cases.CaseReferrals;
import org.safehub.cases.CasesUnavailable;
import org.safehub.config.SafehubConfig;
import org.safehub.consent.ConsentChange;
import org.safehub.consent.ConsentRegistry;
import org.safehub.crypto.AtRestSealer;
import org.safehub.crypto.CryptoException;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;
import org.safehub.envelope.Subject;
import org.safehub.identity.Caller;
import org.safehub.kafka.Headers;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.policy.ConsentAuthority;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.routing.RecipientOutcome;
import org.safehub.routing.ReferralHistory;
import org.safehub.routing.Router;
import org.safehub.validation.Canonical;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.StrictJson;
import org.safehub.validation.ValidationResult;

/**
 * Accepts a message: strict parse, schema validation, the sender's right to send the type, the
 * idempotency claim, and a durable write to the inbound topic. A receipt is returned only after
 * Kafka has acknowledged the write (acks=all).
 */
@Singleton
public final class PublishService {

  private final StrictJson json;
  private final SchemaCatalogue schemas;
  private final Router router;
  private final ReceiptStore receipts;
  private final GroupCommit group;
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final Limits limits;
  private final AtRestSealer atRest;
  private final ConsentRegistry consent;
  private final CaseReferrals cases;

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
    this.cases = cases;
    this.atRest = atRest;
    this.consent = consent;
    this.json = json;
    this.schemas = schemas;
    this.router = router;
    this.receipts = receipts;
    this.group = group;
    this.producer = producer;
    this.topics = topics;
    this.limits = limits;
  }

  /** The outcome of a publish that was not refused. */
  public record Accepted(Receipt receipt, boolean replay, String type) {}

  public Accepted publish(Caller caller, byte[] body) {
    if (body.length > limits.maxBodyBytes()) {
      throw HubProblem.of(
          413,
          "payload-too-large",
          "Message too large",
          "The body is larger than " + limits.maxBodyBytes() + " bytes.");
    }
    StrictJson.Parsed parsed = json.parse(body);
    if (parsed instanceof StrictJson.Parsed.Failed f) {
      throw invalid(f.invalid());
    }
    JsonNode message = ((StrictJson.Parsed.Ok) parsed).node();
    ValidationResult result = schemas.validate(message);
    if (result instanceof ValidationResult.Invalid inv) {
      throw invalid(inv);
    }
    Envelope envelope = Envelope.of(message);
    checkBusinessRules(message, envelope);

    Agency sender =
        router
            .agencies()
            .find(caller.agencyId())
            .orElseThrow(
                () ->
                    HubProblem.of(
                        403,
                        "unknown-agency",
                        "Forbidden",
                        "The token's agency is not registered with the hub."));
    if (!sender.active()) {
      throw HubProblem.of(403, "agency-suspended", "Forbidden", "The sending agency is suspended.");
    }
    if (!router.policy().maySend(sender.type(), envelope.type())) {
      throw HubProblem.of(
          403,
          "not-permitted-to-send",
          "Forbidden",
          "Agencies of type '"
              + sender.type()
              + "' may not send '"
              + envelope.type()
              + "' messages.");
    }

    // a message on a closed case is refused here (409 case-closed); a referral opens or reopens it
    CaseOpening opening = cases.onPublish(envelope, sender);
    List<String> pending = new ArrayList<>();
    try {
      for (RecipientOutcome o :
          router.route(envelope, message, sender.id(), ReferralHistory.NONE)) {
        if (o instanceof RecipientOutcome.Deliver d) {
          pending.add(d.agencyId());
        }
      }
    } catch (CasesUnavailable e) {
      throw HubProblem.unavailable(
          "The hub cannot read the message's case right now; try again.",
          limits.retryAfterSeconds());
    }
    byte[] hash = Canonical.sha256(message);
    ConsentChange consentChange =
        ConsentChange.TYPE.equals(envelope.type()) ? ConsentChange.of(message, sender.id()) : null;
    if (consentChange != null) {
      checkConsentAuthority(sender, consentChange);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    ReceiptStore.Claim claim;
    try {
      claim =
          group.claim(
              new ReceiptStore.ClaimRequest(
                  envelope.messageId(),
                  new ReceiptStore.Facts(
                      sender.id(),
                      hash,
                      envelope.type(),
                      envelope.caseRef(),
                      envelope.legalBasis(),
                      envelope.subjects().stream().map(Subject::ref).toList()),
                  now,
                  pending,
                  opening));
    } catch (SQLException e) {
      throw HubProblem.unavailable(
          "The hub cannot record the message right now; try again.", limits.retryAfterSeconds());
    }
    if (claim instanceof ReceiptStore.Claim.SenderSuspended) {
      throw HubProblem.of(
          403, "agency-suspended", "Forbidden", "Your agency is suspended from the hub.");
    }
    if (claim instanceof ReceiptStore.Claim.Conflict) {
      throw HubProblem.of(
          409,
          "message-id-conflict",
          "Conflict",
          "This messageId was already used for a different message.");
    }
    if (claim instanceof ReceiptStore.Claim.Replay r) {
      return new Accepted(new Receipt(envelope.messageId(), r.receivedAt()), true, envelope.type());
    }
    Instant receivedAt =
        claim instanceof ReceiptStore.Claim.Claimed c
            ? c.receivedAt()
            : ((ReceiptStore.Claim.Unconfirmed) claim).receivedAt();
    // built before the write: an event the audit log would refuse must stop the message here, not
    // after it is stored
    List<AuditEvent> accepted;
    try {
      accepted = AcceptedEvents.of(caller, envelope, message, receivedAt, consentChange);
    } catch (IllegalArgumentException e) {
      receipts.release(envelope.messageId());
      throw new HubProblem(
          400,
          "schema-violation",
          "Message does not match its schema",
          "A field holds text the hub cannot record.",
          List.of(
              new Violation(
                  "/legalBasis/justification",
                  "format",
                  "must be plain text without control characters")),
          null);
    }
    String key = envelope.messageId().toString();
    byte[] value;
    try {
      // sealed for the hub itself: no topic holds plaintext personal data
      value =
          atRest.seal(
              new InboundRecord(sender.id(), receivedAt, message).encode(json.mapper()),
              AtRestSealer.aad(
                  topics.inbound(), key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
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
                envelope.messageId().toString(),
                Headers.TYPE,
                envelope.type(),
                Headers.SENDER,
                sender.id()));
    try {
      producer.send(record).get(limits.produceTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      receipts.release(envelope.messageId());
      throw HubProblem.unavailable(
          "Interrupted before the message was stored.", limits.retryAfterSeconds());
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      receipts.release(envelope.messageId());
      throw HubProblem.unavailable(
          "The message could not be stored durably; it was not accepted. Try again.",
          limits.retryAfterSeconds());
    }
    try {
      group.confirm(new ReceiptStore.ConfirmRequest(envelope.messageId(), consentChange, accepted));
    } catch (SQLException e) {
      if (consentChange != null) {
        // the change, its receipt and its audit events were not committed: none of them holds, and
        // the
        // pipeline sets the message aside (its receipt is given back), so a re-send starts afresh
        receipts.release(envelope.messageId());
        if (e instanceof ConsentRegistry.RoleConflict) {
          throw subjectMismatch();
        }
        throw HubProblem.unavailable(
            "The consent change could not be recorded; it was not accepted. Send it again.",
            limits.retryAfterSeconds());
      }
      // Kafka has it; the pipeline will deliver it. A re-send writes it again and recipients dedupe
      // by messageId.
    }
    return new Accepted(new Receipt(envelope.messageId(), receivedAt), false, envelope.type());
  }

  /**
   * Who may record consent for whom ({@link org.safehub.policy.ConsentAuthority}): checked here
   * against the registry's role for the subject, and again under the subject's row lock when the
   * change is applied.
   */
  private void checkConsentAuthority(Agency sender, ConsentChange change) {
    String registered;
    try {
      registered = consent.role(change.subjectRef());
    } catch (SQLException e) {
      throw HubProblem.unavailable(
          "The hub cannot check the consent registry right now; try again.",
          limits.retryAfterSeconds());
    }
    switch (ConsentAuthority.mayRecord(sender.type(), change.subjectRole(), registered)) {
      case NOT_PERMITTED ->
          throw HubProblem.of(
              403,
              "consent-not-permitted",
              "Forbidden",
              "Agencies of type '" + sender.type() + "' may not record consent for this subject.");
      case SUBJECT_MISMATCH -> throw subjectMismatch();
      case PERMITTED -> {}
    }
  }

  private static HubProblem subjectMismatch() {
    return HubProblem.of(
        409,
        "consent-subject-mismatch",
        "Conflict",
        "payload.subjectRef must be one of the message's subjects, with the role the consent registry holds for it.");
  }

  private void checkBusinessRules(JsonNode message, Envelope envelope) {
    List<Violation> violations = new ArrayList<>();
    if (!envelope.legalBasis().isConsent()) {
      String justification = message.path("legalBasis").path("justification").asText("");
      if (justification.strip().length() < limits.minJustificationLength()) {
        violations.add(
            new Violation(
                "/legalBasis/justification",
                "minLength",
                "Sharing without consent needs a written justification of at least "
                    + limits.minJustificationLength()
                    + " characters."));
      }
    }
    for (int i = 0; i < envelope.recipients().size(); i++) {
      if (router.agencies().find(envelope.recipients().get(i)).isEmpty()) {
        violations.add(
            new Violation(
                "/recipients/" + i, "unknown-agency", "No agency with this id is registered."));
      }
    }
    if (!violations.isEmpty()) {
      throw invalid(
          new ValidationResult.Invalid(ValidationResult.ProblemKind.SCHEMA_VIOLATION, violations));
    }
  }

  private static HubProblem invalid(ValidationResult.Invalid inv) {
    return new HubProblem(
        400,
        inv.kind().code(),
        inv.kind().title(),
        inv.violations().size() + " violation(s); see 'violations'.",
        inv.violations(),
        null);
  }
}
