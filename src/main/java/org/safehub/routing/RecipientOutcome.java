package org.safehub.routing;

import java.util.Objects;
import org.safehub.agencies.Agency;
import org.safehub.copy.WithholdReason;

/**
 * What routing decided for one candidate recipient: deliver a copy, or withhold it with a reason.
 */
public sealed interface RecipientOutcome {
  String agencyId();

  /**
   * The agency gets a copy (later stages may still withhold it); {@code raisedPriority}: at no less
   * than {@code urgent} (the partner's worker first, {@code cases.PartnerFirst}).
   */
  record Deliver(Agency agency, boolean raisedPriority) implements RecipientOutcome {
    public Deliver {
      Objects.requireNonNull(agency, "agency");
    }

    public Deliver(Agency agency) {
      this(agency, false);
    }

    @Override
    public String agencyId() {
      return agency.id();
    }
  }

  /** The agency gets nothing; the sender's status shows the reason. */
  record Withhold(String agencyId, WithholdReason reason) implements RecipientOutcome {
    public Withhold {
      Objects.requireNonNull(agencyId, "agencyId");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
