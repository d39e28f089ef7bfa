package org.safehub.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.safehub.agencies.Agency;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseOpening;
import org.safehub.cases.CaseReferrals;
import org.safehub.cases.CaseRole;
import org.safehub.consent.ConsentChange;
import org.safehub.consent.ConsentRegistry;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.Subject;
import org.safehub.identity.Caller;
import org.safehub.policy.ConsentAuthority;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;
import org.safehub.routing.RecipientOutcome;
import org.safehub.routing.ReferralHistory;
import org.safehub.routing.Router;
import org.safehub.routing.Via;
import org.safehub.validation.Canonical;
import org.safehub.validation.SchemaCatalogue;
import org.safehub.validation.StrictJson;
import org.safehub.validation.ValidationResult;

/**
 * Everything decided about one message before it is claimed: strict parse, schema validation, the
 * business rules, the sender's right to send the type (and to record the consent it carries), and
 * its expected recipients. Used alike by a single publish and by each message of a batch.
 */
final class Admission {

  private final StrictJson json;
  private final SchemaCatalogue schemas;
  private final Router router;
  private final ConsentRegistry consent;
  private final CaseReferrals cases;
  private final PublishService.Limits limits;

  Admission(
      StrictJson json,
      SchemaCatalogue schemas,
      Router router,
      ConsentRegistry consent,
      CaseReferrals cases,
      PublishService.Limits limits) {
    this.cases = cases;
    this.json = json;
    this.schemas = schemas;
    this.router = router;
    this.consent = consent;
    this.limits = limits;
  }

  /** A message that passed every check, with what its claim records. */
  record Admitted(
      JsonNode message,
      Envelope envelope,
      Agency sender,
      List<String> pending,
      byte[] hash,
      ConsentChange consentChange,
      CaseOpening opening) {

    ReceiptStore.ClaimRequest claimRequest(Instant now) {
      return new ReceiptStore.ClaimRequest(
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
          opening);
    }
  }

  /** A message whose body, schema, business rules and sender's right to send it passed. */
  record Checked(JsonNode message, Envelope envelope, Agency sender) {}

  /** Checks one message body, or throws the refusal its sender is told about. */
  Admitted admit(Caller caller, byte[] body) {
    Checked checked = check(caller, body);
    return decide(checked, cases.find(checked.envelope().caseRef()));
  }

  /**
   * The cases of {@code checked} messages, read together in one statement (a batch's); a 503
   * problem if the case store cannot be read.
   */
  Map<String, CaseFile> casesOf(List<Checked> checked) {
    return cases.findAll(checked.stream().map(c -> c.envelope().caseRef()).toList());
  }

  /**
   * Everything that does not need the message's case: strict parse, schema, business rules, the
   * sender and its right to send the type; or throws the refusal its sender is told about.
   */
  Checked check(Caller caller, byte[] body) {
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

    return new Checked(message, envelope, sender);
  }

  /**
   * The rest of the checks, with the message's case ({@code found}, read once for them and for the
   * expected recipients): a message on a closed case is refused here (409 case-closed), a referral
   * opens or reopens it; a consent change needs its sender's authority.
   */
  Admitted decide(Checked checked, Optional<CaseFile> found) {
    JsonNode message = checked.message();
    Envelope envelope = checked.envelope();
    Agency sender = checked.sender();
    CaseOpening opening = cases.onPublish(envelope, sender, found);
    List<String> pending = new ArrayList<>();
    boolean programme = CaseRole.PROGRAMME_TYPE.equals(sender.type().name());
    for (RecipientOutcome o :
        router.route(envelope, message, sender.id(), ReferralHistory.NONE, found)) {
      // a programme's status never lists a recipient chosen as a case member, pending or not
      if (o instanceof RecipientOutcome.Deliver d && !(programme && Via.CASE.equals(d.via()))) {
        pending.add(d.agencyId());
      }
    }
    byte[] hash = Canonical.sha256(message);
    ConsentChange consentChange =
        ConsentChange.TYPE.equals(envelope.type()) ? ConsentChange.of(message, sender.id()) : null;
    if (consentChange != null) {
      checkConsentAuthority(sender, consentChange);
    }
    return new Admitted(message, envelope, sender, pending, hash, consentChange, opening);
  }

  /**
   * The refusal of a claim that did not take its messageId (suspended sender, or the id is taken),
   * or null when the claim may go on.
   */
  static HubProblem refusal(ReceiptStore.Claim claim) {
    if (claim instanceof ReceiptStore.Claim.SenderSuspended) {
      return HubProblem.of(
          403, "agency-suspended", "Forbidden", "Your agency is suspended from the hub.");
    }
    if (claim instanceof ReceiptStore.Claim.Conflict) {
      return HubProblem.of(
          409,
          "message-id-conflict",
          "Conflict",
          "This messageId was already used for a different message.");
    }
    return null;
  }

  /** When the claim that was taken (or found unconfirmed) says the message was received. */
  static Instant receivedAt(ReceiptStore.Claim claim) {
    return claim instanceof ReceiptStore.Claim.Claimed c
        ? c.receivedAt()
        : ((ReceiptStore.Claim.Unconfirmed) claim).receivedAt();
  }

  /**
   * The audit events of an accepted message, built before the write: an event the audit log would
   * refuse stops the message there (the caller gives its claim back), not after it is stored.
   */
  static List<AuditEvent> acceptedEvents(Caller caller, Admitted a, Instant receivedAt) {
    try {
      return AcceptedEvents.of(caller, a.envelope(), a.message(), receivedAt, a.consentChange());
    } catch (IllegalArgumentException e) {
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

  static HubProblem subjectMismatch() {
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
