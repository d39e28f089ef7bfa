package org.safehub.routing;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Period;
import java.util.List;
import java.util.Objects;
import org.safehub.envelope.Envelope;

/**
 * When a routing rule applies: a predicate on one field of the message (by JSON pointer), any or
 * all of several, or the MARAC referral history of the message's subjects. A field that is missing
 * never matches.
 */
public sealed interface RuleCondition {

  boolean test(JsonNode message, Envelope envelope, ReferralHistory history);

  /** Whether the outcome depends on what the hub knows beyond the message (its history). */
  default boolean usesHistory() {
    return false;
  }

  /** The field equals the value (numbers by value: 14 equals 14.0). */
  record Equals(JsonPointer field, JsonNode value) implements RuleCondition {
    public Equals {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      return same(message.at(field), value);
    }
  }

  /** The field is a number at least {@code min}. */
  record AtLeast(JsonPointer field, BigDecimal min) implements RuleCondition {
    public AtLeast {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(min, "min");
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      JsonNode n = message.at(field);
      return n.isNumber() && n.decimalValue().compareTo(min) >= 0;
    }
  }

  /** The field equals one of the values. */
  record OneOf(JsonPointer field, List<JsonNode> values) implements RuleCondition {
    public OneOf {
      Objects.requireNonNull(field, "field");
      values = List.copyOf(values);
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      JsonNode n = message.at(field);
      return values.stream().anyMatch(v -> same(n, v));
    }
  }

  /** At least one of the conditions holds. */
  record Any(List<RuleCondition> conditions) implements RuleCondition {
    public Any {
      conditions = List.copyOf(conditions);
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      return conditions.stream().anyMatch(c -> c.test(message, envelope, history));
    }

    @Override
    public boolean usesHistory() {
      return conditions.stream().anyMatch(RuleCondition::usesHistory);
    }
  }

  /** Every one of the conditions holds. */
  record All(List<RuleCondition> conditions) implements RuleCondition {
    public All {
      conditions = List.copyOf(conditions);
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      return conditions.stream().allMatch(c -> c.test(message, envelope, history));
    }

    @Override
    public boolean usesHistory() {
      return conditions.stream().anyMatch(RuleCondition::usesHistory);
    }
  }

  /** A subject of the referral was referred to MARAC before it, within the period before now. */
  record ReferredToMaracWithin(Period within) implements RuleCondition {
    public ReferredToMaracWithin {
      Objects.requireNonNull(within, "within");
    }

    @Override
    public boolean test(JsonNode message, Envelope envelope, ReferralHistory history) {
      return history.referredWithin(envelope, within);
    }

    @Override
    public boolean usesHistory() {
      return true;
    }
  }

  private static boolean same(JsonNode found, JsonNode wanted) {
    if (found.isMissingNode() || found.isNull()) {
      return false;
    }
    if (found.isNumber() && wanted.isNumber()) {
      return found.decimalValue().compareTo(wanted.decimalValue()) == 0;
    }
    return found.equals(wanted);
  }
}
