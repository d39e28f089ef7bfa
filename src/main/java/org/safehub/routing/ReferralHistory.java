package org.safehub.routing;

import java.time.Period;
import org.safehub.envelope.Envelope;

/**
 * What routing may know beyond the message itself: whether a subject of a MARAC referral was
 * referred to MARAC before it, within a period before now (the hub's clock). {@link #NONE} knows
 * nothing (no referral is a repeat).
 */
@FunctionalInterface
public interface ReferralHistory {

  ReferralHistory NONE = (e, p) -> false;

  /**
   * Whether a subject of {@code e} was referred to MARAC before {@code e}, within {@code within}.
   */
  boolean referredWithin(Envelope e, Period within);

  /**
   * Whether a rule on this history may add recipients (it always flags): not to a message whose
   * sender may not learn the history, to whom a recipient appearing would tell it.
   */
  default boolean mayAddRecipients() {
    return true;
  }
}
