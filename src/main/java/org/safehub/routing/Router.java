package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.config.SafehubConfig;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Envelope;
import org.safehub.validation.SchemaCatalogue;

/**
 * Decides the candidate recipients of a message: explicit recipients plus matching standing
 * subscriptions plus the agencies the routing rules add, narrowed by which agency types may receive
 * the type and by agency status; each with why it was chosen ({@link Via}). Consent and redaction
 * are later stages; this class only routes.
 */
@Singleton
public final class Router {

  private final AgencyDirectory agencies;
  private final RoutingPolicy policy;
  private final MaracReferrals referrals;

  /** With the routing policy of {@code <safehub.config-dir>/routing.yaml}, checked at start-up. */
  @Inject
  public Router(
      SafehubConfig config,
      AgencyDirectory agencies,
      SchemaCatalogue schemas,
      MaracReferrals referrals) {
    this(agencies, RoutingPolicy.load(config.configDir(), agencies, schemas.types()), referrals);
  }

  /** Without a referral history: no MARAC referral is a repeat. */
  public Router(AgencyDirectory agencies, RoutingPolicy policy) {
    this(agencies, policy, null);
  }

  public Router(AgencyDirectory agencies, RoutingPolicy policy, MaracReferrals referrals) {
    this.agencies = agencies;
    this.policy = policy;
    this.referrals = referrals;
  }

  /** The referral history a pipeline batch routes with (none without a store). */
  public MaracReferrals.Batch beginBatch(List<MaracReferrals.Accepted> batch) throws SQLException {
    return referrals == null ? MaracReferrals.Batch.NONE : referrals.beginBatch(batch);
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
    Map<String, Via> candidates = new TreeMap<>();
    for (String id : envelope.recipients()) {
      candidates.merge(id, Via.EXPLICIT, Via::first);
    }
    for (Subscription s : policy.subscriptions()) {
      if (s.matches(envelope)) {
        candidates.merge(s.agency(), Via.SUBSCRIPTION, Via::first);
      }
    }
    List<String> flags =
        message == null ? List.of() : addByRules(envelope, message, history, candidates);
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
            out.add(new RecipientOutcome.Deliver(agency.get(), via, flags));
          }
        });
    return out;
  }

  /**
   * Adds the agencies of every rule that applies (never removes one) and returns the flags of those
   * rules, in rule order.
   */
  private List<String> addByRules(
      Envelope envelope, JsonNode message, ReferralHistory history, Map<String, Via> candidates) {
    List<String> flags = new ArrayList<>();
    for (RoutingRule rule : policy.rules()) {
      if (!rule.matches(envelope, message, history)) {
        continue;
      }
      // a rule on the hub's history adds no one where the sender may not learn it (it still flags)
      boolean adds = !rule.usesHistory() || history.mayAddRecipients();
      String area = ruleArea(envelope);
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

  /** The area whose agencies a rule adds: the message's (the case's area once cases land). */
  private static String ruleArea(Envelope envelope) {
    return envelope.area();
  }

  public RoutingPolicy policy() {
    return policy;
  }

  public AgencyDirectory agencies() {
    return agencies;
  }
}
