package org.safehub.routing;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why routing chose a recipient, as the sender's status shows it: named by the sender ({@code
 * explicit}), a member of the message's case ({@code case}), a standing subscription ({@code
 * subscription}) or a routing rule ({@code rule:<name>}). A recipient chosen for several reasons
 * shows the first of those, in that order.
 */
public record Via(String wire) {

  /** A rule's name: what follows {@code rule:}. */
  public static final Pattern RULE_NAME = Pattern.compile("[a-z][a-z0-9-]{1,63}");

  private static final String RULE_PREFIX = "rule:";

  public static final Via EXPLICIT = new Via("explicit");
  public static final Via CASE = new Via("case");
  public static final Via SUBSCRIPTION = new Via("subscription");

  public Via {
    Objects.requireNonNull(wire, "wire");
    boolean known =
        wire.equals("explicit")
            || wire.equals("case")
            || wire.equals("subscription")
            || (wire.startsWith(RULE_PREFIX)
                && RULE_NAME.matcher(wire.substring(RULE_PREFIX.length())).matches());
    if (!known) {
      throw new IllegalArgumentException("unknown via");
    }
  }

  /** The reason of the rule named {@code name}. */
  public static Via rule(String name) {
    return new Via(RULE_PREFIX + name);
  }

  /** The rule's name if this is a rule's reason, else null. */
  public String ruleName() {
    return wire.startsWith(RULE_PREFIX) ? wire.substring(RULE_PREFIX.length()) : null;
  }

  /** Of two reasons for one recipient, the one the status shows: the earlier in the order above. */
  public static Via first(Via a, Via b) {
    return a.rank() <= b.rank() ? a : b;
  }

  private int rank() {
    return switch (wire) {
      case "explicit" -> 0;
      case "case" -> 1;
      case "subscription" -> 2;
      default -> 3;
    };
  }

  @Override
  public String toString() {
    return wire;
  }
}
