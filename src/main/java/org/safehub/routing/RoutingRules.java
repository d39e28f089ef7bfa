package org.safehub.routing;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.safehub.agencies.AgencyType;
import org.safehub.config.DeployConfigException;

/**
 * Reads the {@code rules:} of {@code routing.yaml}; every fault stops start-up, naming the file and
 * the place. A rule must name a known message type, only agency types that may receive it, and a
 * condition of the forms below; the MARAC history condition only on {@code marac-referral}.
 *
 * <pre>
 * - name: high-risk-disclosure           # unique; the status shows "via": "rule:high-risk-disclosure"
 *   type: risk-disclosure
 *   when: {field: /payload/riskLevel, equals: high}   # or atLeast: 14, oneOf: [a, b];
 *                                                     # or {any: [...]}, {all: [...]};
 *                                                     # or {referredToMaracWithin: P12M}
 *   to: [marac, mash]                     # agency types, in the message's area
 *   flag: some-flag                       # optional: carried by every copy of the message
 * </pre>
 */
final class RoutingRules {

  private static final Set<String> RULE_KEYS = Set.of("name", "type", "when", "to", "flag");
  private static final Set<String> FIELD_TESTS = Set.of("equals", "atLeast", "oneOf");

  private final String file;

  private RoutingRules(String file) {
    this.file = file;
  }

  static List<RoutingRule> load(
      JsonNode rules, String file, Map<String, Set<AgencyType>> receivers, Set<AgencyType> known) {
    if (rules.isMissingNode() || rules.isNull()) {
      return List.of();
    }
    RoutingRules r = new RoutingRules(file);
    if (!rules.isArray()) {
      throw r.fault("/rules", "must be a list of rules");
    }
    List<RoutingRule> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode rule : rules) {
      out.add(r.rule(rule, "/rules/" + i, receivers, known, names));
      i++;
    }
    return out;
  }

  private RoutingRule rule(
      JsonNode rule,
      String where,
      Map<String, Set<AgencyType>> receivers,
      Set<AgencyType> known,
      Set<String> names) {
    if (!rule.isObject()) {
      throw fault(where, "must be a rule (name, type, when, to)");
    }
    rule.fieldNames()
        .forEachRemaining(
            k -> {
              if (!RULE_KEYS.contains(k)) {
                throw fault(where + "/" + k, "unknown key '" + k + "'");
              }
            });
    String name = text(rule, "name", where);
    if (!Via.RULE_NAME.matcher(name).matches()) {
      throw fault(where + "/name", "a rule name is 2 to 64 lower-case letters, digits and '-'");
    }
    if (!names.add(name)) {
      throw fault(where + "/name", "a second rule named '" + name + "'");
    }
    String type = text(rule, "type", where);
    if (!receivers.containsKey(type)) {
      throw fault(where + "/type", "unknown message type '" + type + "'");
    }
    JsonNode to = rule.path("to");
    if (!to.isArray() || to.isEmpty()) {
      throw fault(where + "/to", "rule '" + name + "' needs a list of agency types to add");
    }
    Set<AgencyType> targets = new LinkedHashSet<>();
    for (JsonNode t : to) {
      AgencyType target = agencyType(t, where + "/to");
      if (!known.contains(target)) {
        throw fault(where + "/to", "unknown agency type '" + target + "'");
      }
      if (!receivers.get(type).contains(target)) {
        throw fault(
            where + "/to",
            "rule '"
                + name
                + "' sends '"
                + type
                + "' to '"
                + target
                + "', which that agency type may not receive");
      }
      targets.add(target);
    }
    String flag = null;
    if (rule.has("flag")) {
      flag = text(rule, "flag", where);
      if (!Via.RULE_NAME.matcher(flag).matches()) {
        throw fault(where + "/flag", "a flag is 2 to 64 lower-case letters, digits and '-'");
      }
    }
    if (!rule.has("when")) {
      throw fault(where, "rule '" + name + "' needs a condition (when)");
    }
    RuleCondition when = condition(rule.get("when"), where + "/when");
    if (when.usesHistory() && !MaracReferrals.TYPE.equals(type)) {
      throw fault(
          where + "/when",
          "referredToMaracWithin applies only to '" + MaracReferrals.TYPE + "' rules");
    }
    return new RoutingRule(name, type, when, targets, flag);
  }

  private RuleCondition condition(JsonNode c, String where) {
    if (!c.isObject() || c.isEmpty()) {
      throw fault(where, "must be a condition");
    }
    if (c.has("any") || c.has("all")) {
      String key = c.has("any") ? "any" : "all";
      if (c.size() != 1) {
        throw fault(where, "'" + key + "' stands alone in its condition");
      }
      JsonNode list = c.get(key);
      if (!list.isArray() || list.isEmpty()) {
        throw fault(where + "/" + key, "must be a non-empty list of conditions");
      }
      List<RuleCondition> parts = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        parts.add(condition(list.get(i), where + "/" + key + "/" + i));
      }
      return key.equals("any") ? new RuleCondition.Any(parts) : new RuleCondition.All(parts);
    }
    if (c.has("referredToMaracWithin")) {
      if (c.size() != 1) {
        throw fault(where, "'referredToMaracWithin' stands alone in its condition");
      }
      try {
        Period p = Period.parse(c.get("referredToMaracWithin").asText());
        if (p.isNegative() || p.isZero()) {
          throw fault(where + "/referredToMaracWithin", "must be a positive period");
        }
        return new RuleCondition.ReferredToMaracWithin(p);
      } catch (DateTimeParseException e) {
        throw fault(where + "/referredToMaracWithin", "must be an ISO-8601 period, e.g. P12M");
      }
    }
    if (!c.has("field") || c.size() != 2) {
      throw fault(
          where,
          "a condition is {field, equals|atLeast|oneOf}, {any: [...]}, {all: [...]}"
              + " or {referredToMaracWithin: <period>}");
    }
    JsonPointer field = pointer(c.get("field"), where + "/field");
    String test =
        FIELD_TESTS.stream()
            .filter(c::has)
            .findFirst()
            .orElseThrow(() -> fault(where, "a field condition needs equals, atLeast or oneOf"));
    JsonNode v = c.get(test);
    return switch (test) {
      case "equals" -> new RuleCondition.Equals(field, scalar(v, where + "/equals"));
      case "atLeast" -> {
        if (!v.isNumber()) {
          throw fault(where + "/atLeast", "must be a number");
        }
        yield new RuleCondition.AtLeast(field, v.decimalValue());
      }
      default -> {
        if (!v.isArray() || v.isEmpty()) {
          throw fault(where + "/oneOf", "must be a non-empty list of values");
        }
        List<JsonNode> values = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          values.add(scalar(v.get(i), where + "/oneOf/" + i));
        }
        yield new RuleCondition.OneOf(field, values);
      }
    };
  }

  private JsonPointer pointer(JsonNode n, String where) {
    String p = n.asText("");
    if (!n.isTextual() || !p.startsWith("/")) {
      throw fault(where, "must be a JSON pointer into the message, e.g. /payload/riskLevel");
    }
    try {
      return JsonPointer.compile(p);
    } catch (IllegalArgumentException e) {
      throw fault(where, "not a JSON pointer");
    }
  }

  private JsonNode scalar(JsonNode v, String where) {
    if (v == null || !v.isValueNode() || v.isNull()) {
      throw fault(where, "must be a string, number or boolean");
    }
    return v;
  }

  private String text(JsonNode node, String key, String where) {
    JsonNode v = node.path(key);
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw fault(where + "/" + key, "must be a non-empty string");
    }
    return v.asText();
  }

  private AgencyType agencyType(JsonNode t, String where) {
    try {
      return AgencyType.of(t.asText());
    } catch (IllegalArgumentException e) {
      throw fault(where, "not an agency type name");
    }
  }

  private DeployConfigException fault(String where, String what) {
    return new DeployConfigException(file, where + ": " + what);
  }
}
