package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.cases.CaseLookup;
import org.safehub.cases.CaseStore;
import org.safehub.config.SafehubConfig;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Envelope;
import org.safehub.validation.SchemaCatalogue;

/**
 * Decides the candidate recipients of a message: explicit recipients plus matching standing
 * subscriptions plus the members of its case ({@link CaseTies}), narrowed by which agency types may
 * receive the type and by agency status. Consent and redaction are later stages; this class only
 * routes.
 */
@Singleton
public final class Router {

  private final AgencyDirectory agencies;
  private final RoutingPolicy policy;
  private final CaseTies cases;

  /**
   * With the routing policy of {@code <safehub.config-dir>/routing.yaml}, checked at start-up, and
   * the case store.
   */
  @Inject
  public Router(
      SafehubConfig config,
      AgencyDirectory agencies,
      SchemaCatalogue schemas,
      CaseStore caseStore) {
    this(agencies, RoutingPolicy.load(config.configDir(), agencies, schemas.types()), caseStore);
  }

  /** Without cases (routing alone). */
  public Router(AgencyDirectory agencies, RoutingPolicy policy) {
    this(agencies, policy, null);
  }

  /** With the cases {@code caseStore} holds (null: none). */
  public Router(AgencyDirectory agencies, RoutingPolicy policy, CaseLookup caseStore) {
    this.agencies = agencies;
    this.policy = policy;
    this.cases = new CaseTies(caseStore, agencies);
  }

  /**
   * One outcome per candidate recipient, in agency-id order; the sender never receives its own
   * message.
   */
  public List<RecipientOutcome> route(Envelope envelope, String senderAgencyId) {
    return route(envelope, null, senderAgencyId);
  }

  /**
   * As {@link #route(Envelope, String)}, with the message (for the case's partner-first rule); a
   * case that cannot be read throws {@code cases.CasesUnavailable} (nothing is routed without it).
   */
  public List<RecipientOutcome> route(Envelope envelope, JsonNode message, String senderAgencyId) {
    CaseTies.Tie tie = cases.of(envelope, message, senderAgencyId);
    TreeSet<String> candidates = new TreeSet<>(envelope.recipients());
    for (Subscription s : policy.subscriptions()) {
      if (s.matches(envelope) && admits(tie, s.agency())) {
        candidates.add(s.agency());
      }
    }
    addMembers(tie, envelope.type(), candidates);
    candidates.remove(senderAgencyId);
    List<RecipientOutcome> out = new ArrayList<>(candidates.size());
    for (String id : candidates) {
      Optional<Agency> agency = agencies.find(id);
      if (agency.isEmpty()) {
        out.add(new RecipientOutcome.Withhold(id, WithholdReason.UNKNOWN_AGENCY));
      } else if (!policy.mayReceive(agency.get().type(), envelope.type())) {
        out.add(new RecipientOutcome.Withhold(id, WithholdReason.NOT_PERMITTED_TO_RECEIVE));
      } else if (!agency.get().active()) {
        out.add(new RecipientOutcome.Withhold(id, WithholdReason.AGENCY_SUSPENDED));
      } else {
        out.add(new RecipientOutcome.Deliver(agency.get(), tie.raisesFor(id)));
      }
    }
    return out;
  }

  private boolean admits(CaseTies.Tie tie, String subscriber) {
    return agencies.find(subscriber).map(tie::admitsSubscription).orElse(true);
  }

  /** The case's members whose agency type may receive the type, wherever they are. */
  private void addMembers(CaseTies.Tie tie, String type, TreeSet<String> candidates) {
    for (String member : tie.members().keySet()) {
      agencies
          .find(member)
          .filter(a -> policy.mayReceive(a.type(), type))
          .ifPresent(a -> candidates.add(a.id()));
    }
  }

  public RoutingPolicy policy() {
    return policy;
  }

  public AgencyDirectory agencies() {
    return agencies;
  }
}
