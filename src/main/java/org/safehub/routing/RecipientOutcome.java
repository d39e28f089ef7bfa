package org.safehub.routing;

import java.util.List;
import java.util.Objects;
import org.safehub.agencies.Agency;
import org.safehub.copy.WithholdReason;

/**
 * What routing decided for one candidate recipient: deliver a copy, or withhold it with a reason;
 * either way with why the recipient was chosen ({@link Via}).
 */
public sealed interface RecipientOutcome {
  String agencyId();

  /** Why routing chose this recipient. */
  Via via();

  /**
   * The agency gets a copy (later stages may still withhold it), carrying {@code flags} (e.g.
   * {@code repeat-marac-referral}).
   */
  record Deliver(Agency agency, Via via, List<String> flags) implements RecipientOutcome {
    public Deliver {
      Objects.requireNonNull(agency, "agency");
      Objects.requireNonNull(via, "via");
      flags = List.copyOf(flags);
    }

    /** A copy without flags. */
    public Deliver(Agency agency, Via via) {
      this(agency, via, List.of());
    }

    @Override
    public String agencyId() {
      return agency.id();
    }
  }

  /** The agency gets nothing; the sender's status shows the reason. */
  record Withhold(String agencyId, WithholdReason reason, Via via) implements RecipientOutcome {
    public Withhold {
      Objects.requireNonNull(agencyId, "agencyId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(via, "via");
    }
  }
}
