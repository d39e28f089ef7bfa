package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Set;
import org.safehub.agencies.AgencyType;
import org.safehub.envelope.Envelope;

/**
 * A named rule of {@code routing.yaml}: a message of {@code type} that meets {@code when} also goes
 * to the agencies of the types {@code to} in its area, and each of its copies carries {@code flag}
 * (if given). A rule only ever adds recipients; each added one still passes every later stage
 * (consent, redaction, the safety guard).
 */
public record RoutingRule(
    String name, String type, RuleCondition when, Set<AgencyType> to, String flag) {
  public RoutingRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(when, "when");
    if (!Via.RULE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a rule name is 2 to 64 lower-case letters, digits, '-'");
    }
    if (flag != null && !Via.RULE_NAME.matcher(flag).matches()) {
      throw new IllegalArgumentException("a flag is 2 to 64 lower-case letters, digits, '-'");
    }
    to = Set.copyOf(to);
  }

  /** Why a recipient this rule added was chosen. */
  public Via via() {
    return Via.rule(name);
  }

  public boolean matches(Envelope envelope, JsonNode message, ReferralHistory history) {
    return type.equals(envelope.type()) && when.test(message, envelope, history);
  }

  /** Whether the rule depends on what the hub knows beyond the message. */
  public boolean usesHistory() {
    return when.usesHistory();
  }
}
