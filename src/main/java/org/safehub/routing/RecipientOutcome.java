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
   * {@code repeat-marac-referral}, or {@link #RAISED_PRIORITY} when the copy goes at no less than
   * {@code urgent}: the partner's worker first, {@code cases.PartnerFirst}).
   */
  record Deliver(Agency agency, Via via, List<String> flags) implements RecipientOutcome {

    /** The flag of a copy whose priority the hub raised above the sender's. */
    public static final String RAISED_PRIORITY = "raised-priority";

    public Deliver {
      Objects.requireNonNull(agency, "agency");
      Objects.requireNonNull(via, "via");
      flags = List.copyOf(flags);
    }

    /** A copy without flags. */
    public Deliver(Agency agency, Via via) {
      this(agency, via, List.of());
    }

    /** Whether the copy goes at a raised priority (it carries {@link #RAISED_PRIORITY}). */
    public boolean raisedPriority() {
      return flags.contains(RAISED_PRIORITY);
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
