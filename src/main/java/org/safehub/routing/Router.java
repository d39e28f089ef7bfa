package org.safehub.routing;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.config.SafehubConfig;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Envelope;
import org.safehub.validation.SchemaCatalogue;

/**
 * Decides the candidate recipients of a message: explicit recipients plus matching standing
 * subscriptions, narrowed by which agency types may receive the type and by agency status. Consent
 * and redaction are later stages; this class only routes.
 */
@Singleton
public final class Router {

  private final AgencyDirectory agencies;
  private final RoutingPolicy policy;

  /** With the routing policy of {@code <safehub.config-dir>/routing.yaml}, checked at start-up. */
  @Inject
  public Router(SafehubConfig config, AgencyDirectory agencies, SchemaCatalogue schemas) {
    this(agencies, RoutingPolicy.load(config.configDir(), agencies, schemas.types()));
  }

  public Router(AgencyDirectory agencies, RoutingPolicy policy) {
    this.agencies = agencies;
    this.policy = policy;
  }

  /**
   * One outcome per candidate recipient, in agency-id order; the sender never receives its own
   * message.
   */
  public List<RecipientOutcome> route(Envelope envelope, String senderAgencyId) {
    TreeSet<String> candidates = new TreeSet<>(envelope.recipients());
    for (Subscription s : policy.subscriptions()) {
      if (s.matches(envelope)) {
        candidates.add(s.agency());
      }
    }
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
        out.add(new RecipientOutcome.Deliver(agency.get()));
      }
    }
    return out;
  }

  public RoutingPolicy policy() {
    return policy;
  }

  public AgencyDirectory agencies() {
    return agencies;
  }
}
