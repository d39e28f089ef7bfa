package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseLookup;
import org.safehub.cases.CaseStore;
import org.safehub.config.SafehubConfig;
import org.safehub.copy.WithholdReason;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;
import org.safehub.validation.SchemaCatalogue;

/**
 * Decides the candidate recipients of a message: explicit recipients plus matching standing
 * subscriptions plus the members of its case ({@link CaseTies}) plus the agencies the routing rules
 * add, narrowed by which agency types may receive the type and by agency status; each with why it
 * was chosen ({@link Via}). Consent and redaction are later stages; this class only routes.
 */
@Singleton
public final class Router {

  private final AgencyDirectory agencies;
  private final RoutingPolicy policy;
  private final CaseTies cases;
  private final MaracReferrals referrals;

  /**
   * With the routing policy of {@code <safehub.config-dir>/routing.yaml}, checked at start-up, and
   * the case store.
   */
  @Inject
  public Router(
      SafehubConfig config,
      AgencyDirectory agencies,
      SchemaCatalogue schemas,
      CaseStore caseStore,
      MaracReferrals referrals) {
    this(
        agencies,
        RoutingPolicy.load(config.configDir(), agencies, schemas.types()),
        caseStore,
        referrals);
  }

  /** Without cases and without a referral history (routing alone). */
  public Router(AgencyDirectory agencies, RoutingPolicy policy) {
    this(agencies, policy, null, null);
  }

  /** With the cases {@code caseStore} holds (null: none), without a referral history. */
  public Router(AgencyDirectory agencies, RoutingPolicy policy, CaseLookup caseStore) {
    this(agencies, policy, caseStore, null);
  }

  /** With a referral history (null: no MARAC referral is a repeat), without cases. */
  public Router(AgencyDirectory agencies, RoutingPolicy policy, MaracReferrals referrals) {
    this(agencies, policy, null, referrals);
  }

  /** With the cases {@code caseStore} holds and the referral history (either null: none). */
  public Router(
      AgencyDirectory agencies,
      RoutingPolicy policy,
      CaseLookup caseStore,
      MaracReferrals referrals) {
    this.agencies = agencies;
    this.policy = policy;
    this.cases = new CaseTies(caseStore, agencies);
    this.referrals = referrals;
  }

  /** The referral history a pipeline batch routes with (none without a store). */
  public MaracReferrals.Batch beginBatch(List<MaracReferrals.Accepted> batch) throws SQLException {
    return referrals == null ? MaracReferrals.Batch.NONE : referrals.beginBatch(batch);
  }

  /** The cases of a pipeline batch's caseRefs, read together (none without a case store). */
  public Map<String, CaseFile> readCases(Collection<String> caseRefs) throws SQLException {
    return cases.readAll(caseRefs);
  }

  /**
   * {@link #readCases} as a read to send with the batch's other reads, giving {@code into} the
   * cases once it has run; null if it cannot be sent so, and then {@code into} may not have been
   * given anything: call {@link #readCases}.
   */
  public ReadsTogether.Read casesRead(
      Collection<String> caseRefs, Consumer<Map<String, CaseFile>> into) {
    return cases.readAllRead(caseRefs, into);
  }

  /** As {@link #route(Envelope, JsonNode, String, ReferralHistory)}, without rules. */
  public List<RecipientOutcome> route(Envelope envelope, String senderAgencyId) {
    return route(envelope, null, senderAgencyId, ReferralHistory.NONE);
  }

  /**
   * One outcome per candidate recipient, in agency-id order; the sender never receives its own
   * message. Rules apply when {@code message} (the whole validated message) is given.
   */
  public List<RecipientOutcome> route(
      Envelope envelope, JsonNode message, String senderAgencyId, ReferralHistory history) {
    return route(
        envelope, message, senderAgencyId, history, cases.of(envelope, message, senderAgencyId));
  }

  /**
   * As {@link #route(Envelope, JsonNode, String, ReferralHistory)}, with the message's case as the
   * caller has read it (admission's {@code cases.CaseReferrals#find}, or the pipeline's {@link
   * #readCases} for its batch), so that it is not read again.
   */
  public List<RecipientOutcome> route(
      Envelope envelope,
      JsonNode message,
      String senderAgencyId,
      ReferralHistory history,
      Optional<CaseFile> knownCase) {
    return route(
        envelope,
        message,
        senderAgencyId,
        history,
        cases.of(envelope, message, senderAgencyId, knownCase));
  }

  private List<RecipientOutcome> route(
      Envelope envelope,
      JsonNode message,
      String senderAgencyId,
      ReferralHistory history,
      CaseTies.Tie tie) {
    Map<String, Via> candidates = new TreeMap<>();
    for (String id : envelope.recipients()) {
      candidates.merge(id, Via.EXPLICIT, Via::first);
    }
    for (Subscription s : policy.subscriptions()) {
      if (s.matches(envelope) && admits(tie, s.agency())) {
        candidates.merge(s.agency(), Via.SUBSCRIPTION, Via::first);
      }
    }
    addMembers(tie, envelope.type(), candidates);
    List<String> flags =
        message == null
            ? List.of()
            : addByRules(envelope, message, history, ruleArea(envelope, tie), candidates);
    candidates.remove(senderAgencyId);
    List<RecipientOutcome> out = new ArrayList<>(candidates.size());
    candidates.forEach(
        (id, via) -> {
          Optional<Agency> agency = agencies.find(id);
          if (agency.isEmpty()) {
            out.add(new RecipientOutcome.Withhold(id, WithholdReason.UNKNOWN_AGENCY, via));
          } else if (!policy.mayReceive(agency.get().type(), envelope.type())) {
            out.add(
                new RecipientOutcome.Withhold(id, WithholdReason.NOT_PERMITTED_TO_RECEIVE, via));
          } else if (!agency.get().active()) {
            out.add(new RecipientOutcome.Withhold(id, WithholdReason.AGENCY_SUSPENDED, via));
          } else {
            out.add(new RecipientOutcome.Deliver(agency.get(), via, flagsFor(id, tie, flags)));
          }
        });
    return out;
  }

  /** The rules' flags, and {@code raised-priority} where the case raises this recipient's copy. */
  private static List<String> flagsFor(String id, CaseTies.Tie tie, List<String> ruleFlags) {
    if (!tie.raisesFor(id)) {
      return ruleFlags;
    }
    List<String> all = new ArrayList<>(ruleFlags);
    all.add(RecipientOutcome.Deliver.RAISED_PRIORITY);
    return all;
  }

  /**
   * Adds the agencies of every rule that applies (never removes one) in {@code area}, and returns
   * the flags of those rules, in rule order.
   */
  private List<String> addByRules(
      Envelope envelope,
      JsonNode message,
      ReferralHistory history,
      String area,
      Map<String, Via> candidates) {
    List<String> flags = new ArrayList<>();
    for (RoutingRule rule : policy.rules()) {
      if (!rule.matches(envelope, message, history)) {
        continue;
      }
      // a rule on the hub's history adds no one where the sender may not learn it (it still flags)
      boolean adds = !rule.usesHistory() || history.mayAddRecipients();
      for (Agency a : agencies.all()) {
        if (adds && rule.to().contains(a.type()) && a.areas().contains(area)) {
          candidates.merge(a.id(), rule.via(), Via::first);
        }
      }
      if (rule.flag() != null && !flags.contains(rule.flag())) {
        flags.add(rule.flag());
      }
    }
    return flags;
  }

  /**
   * The area whose agencies a rule adds: the case's when the message is on a case the hub knows
   * (and the sender may see), else the message's.
   */
  static String ruleArea(Envelope envelope, CaseTies.Tie tie) {
    return tie.area() != null ? tie.area() : envelope.area();
  }

  private boolean admits(CaseTies.Tie tie, String subscriber) {
    return agencies.find(subscriber).map(tie::admitsSubscription).orElse(true);
  }

  /** The case's members whose agency type may receive the type, wherever they are. */
  private void addMembers(CaseTies.Tie tie, String type, Map<String, Via> candidates) {
    for (String member : tie.members().keySet()) {
      agencies
          .find(member)
          .filter(a -> policy.mayReceive(a.type(), type))
          .ifPresent(a -> candidates.merge(a.id(), Via.CASE, Via::first));
    }
  }

  public RoutingPolicy policy() {
    return policy;
  }

  public AgencyDirectory agencies() {
    return agencies;
  }
}
