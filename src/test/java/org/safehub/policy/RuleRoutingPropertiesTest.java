package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.DeployConfigException;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.LegalBasis;
import org.safehub.envelope.Priority;
import org.safehub.envelope.Subject;
import org.safehub.routing.RecipientOutcome;
import org.safehub.routing.ReferralHistory;
import org.safehub.routing.Router;
import org.safehub.routing.RoutingPolicy;
import org.safehub.routing.RoutingRule;
import org.safehub.routing.RuleCondition;

/**
 * The redaction properties extended to rule routing: over generated messages of every type and
 * generated rule sets (valid ones: within the receivers each type allows, never adding a
 * programme), rules only ever add recipients, only of agency types that may receive the type and in
 * the message's area, and change nothing a perpetrator programme receives: not whether it gets a
 * copy, nor what the copy holds (no flag, no guarded category).
 */
class RuleRoutingPropertiesTest {

  private static final int TRIES = 500;
  private static final String AREA = "E08000026";
  private static final AgencyType PROGRAMME = AgencyType.of(Fixtures.PROGRAMME);
  private static final AgencyDirectory AGENCIES = AgencyDirectory.load(Fixtures.DEPLOY);
  private static final RoutingPolicy SHIPPED =
      RoutingPolicy.load(Fixtures.DEPLOY, AGENCIES, Fixtures.CATALOGUE.types());
  private static final List<String> TYPES = List.copyOf(Fixtures.CATALOGUE.types());
  private static final CopyStage STAGE = Fixtures.redactAndGuard(Fixtures.shippedPolicy(), a -> {});

  /** A generated message, the envelope routing reads from it, and a history answer. */
  record Routed(JsonNode message, Envelope envelope, boolean history, boolean senderMayLearn) {}

  @Provide
  Arbitrary<Routed> messages() {
    Arbitrary<String> type = Arbitraries.of(TYPES);
    return type.flatMap(
        t ->
            Combinators.combine(
                    MessageArbitraries.message(t),
                    Arbitraries.subsetOf(
                        AGENCIES.all().stream().map(Agency::id).collect(Collectors.toList())),
                    Arbitraries.of(Priority.values()),
                    Arbitraries.of(true, false),
                    Arbitraries.of(true, false))
                .as(
                    (m, recipients, priority, history, learns) ->
                        new Routed(
                            m,
                            new Envelope(
                                UUID.randomUUID(),
                                t,
                                1,
                                "CASE-1",
                                AREA,
                                Instant.EPOCH,
                                priority,
                                List.copyOf(recipients),
                                LegalBasis.VITAL_INTERESTS,
                                List.of(new Subject("SUBJ-V-1", "victim"))),
                            history,
                            learns)));
  }

  /** Conditions over the payload's own fields (so that they often match) and the history. */
  private static Arbitrary<RuleCondition> condition(JsonNode message) {
    List<String> fields = new ArrayList<>();
    message.path("payload").fieldNames().forEachRemaining(f -> fields.add("/payload/" + f));
    fields.add("/priority");
    Arbitrary<RuleCondition> onField =
        Arbitraries.of(fields)
            .flatMap(
                f -> {
                  JsonPointer p = JsonPointer.compile(f);
                  JsonNode v = message.at(p);
                  List<Arbitrary<RuleCondition>> forms = new ArrayList<>();
                  forms.add(Arbitraries.just(new RuleCondition.OneOf(p, List.of(textOr(v)))));
                  forms.add(
                      Arbitraries.integers()
                          .between(-5, 30)
                          .map(
                              n ->
                                  (RuleCondition)
                                      new RuleCondition.AtLeast(p, BigDecimal.valueOf(n))));
                  if (v.isValueNode() && !v.isNull()) {
                    forms.add(Arbitraries.just(new RuleCondition.Equals(p, v)));
                  }
                  return Arbitraries.oneOf(forms);
                });
    Arbitrary<RuleCondition> history =
        Arbitraries.just(new RuleCondition.ReferredToMaracWithin(Period.ofMonths(12)));
    return Arbitraries.frequencyOf(
        Tuple.of(4, onField),
        Tuple.of(1, history),
        Tuple.of(
            1,
            onField
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(l -> (RuleCondition) new RuleCondition.Any(l))));
  }

  private static JsonNode textOr(JsonNode v) {
    return v.isValueNode() && !v.isNull() ? v : Fixtures.MAPPER.getNodeFactory().textNode("x");
  }

  /**
   * Valid rules for the message's type (and some for others): targets it may receive, no programme.
   */
  private static Arbitrary<List<RoutingRule>> rules(JsonNode message, String type) {
    Arbitrary<Optional<RoutingRule>> rule =
        Combinators.combine(
                Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.just(type)), Tuple.of(1, Arbitraries.of(TYPES))),
                condition(message),
                Arbitraries.of("flag-a", "flag-b"),
                Arbitraries.integers().between(0, 1_000_000))
            .flatAs(
                (t, when, flag, n) -> {
                  List<AgencyType> may =
                      AGENCIES.agencyTypes().stream()
                          .filter(a -> SHIPPED.mayReceive(a, t) && !a.equals(PROGRAMME))
                          .toList();
                  if (may.isEmpty()) {
                    return Arbitraries.just(Optional.<RoutingRule>empty());
                  }
                  return Arbitraries.subsetOf(may)
                      .ofMinSize(1)
                      .map(
                          to ->
                              Optional.of(new RoutingRule("r" + n, t, when, Set.copyOf(to), flag)));
                });
    return rule.list()
        .ofMaxSize(4)
        .map(
            l -> {
              Map<String, RoutingRule> byName = new HashMap<>();
              l.stream().flatMap(Optional::stream).forEach(r -> byName.putIfAbsent(r.name(), r));
              return List.copyOf(byName.values());
            });
  }

  private static RoutingPolicy withRules(List<RoutingRule> rules) {
    Map<String, Set<AgencyType>> senders = new HashMap<>();
    Map<String, Set<AgencyType>> receivers = new HashMap<>();
    for (String t : TYPES) {
      Set<AgencyType> s = new LinkedHashSet<>();
      Set<AgencyType> r = new LinkedHashSet<>();
      for (AgencyType a : AGENCIES.agencyTypes()) {
        if (SHIPPED.maySend(a, t)) {
          s.add(a);
        }
        if (SHIPPED.mayReceive(a, t)) {
          r.add(a);
        }
      }
      senders.put(t, s);
      receivers.put(t, r);
    }
    return new RoutingPolicy(senders, receivers, SHIPPED.subscriptions(), rules);
  }

  @Provide
  Arbitrary<Object[]> routedWithRules() {
    return messages()
        .flatMap(
            m -> rules(m.message(), m.envelope().type()).map(rules -> new Object[] {m, rules}));
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void rulesOnlyAddPermittedRecipientsInTheAreaAndChangeNothingForAProgramme(
      @ForAll("routedWithRules") Object[] input) {
    // Given
    Routed m = (Routed) input[0];
    @SuppressWarnings("unchecked")
    List<RoutingRule> rules = (List<RoutingRule>) input[1];
    Router plain = new Router(AGENCIES, withRules(List.of()));
    Router ruled = new Router(AGENCIES, withRules(rules));
    // the hub accepts the rule set: none adds a programme
    SafetyGuard.requireNoRuleAddsAProgramme(ruled.policy());
    // When
    ReferralHistory history =
        new ReferralHistory() {
          @Override
          public boolean referredWithin(Envelope e, Period within) {
            return m.history();
          }

          @Override
          public boolean mayAddRecipients() {
            return m.senderMayLearn();
          }
        };
    List<RecipientOutcome> before = plain.route(m.envelope(), m.message(), "demo-sender", history);
    List<RecipientOutcome> after = ruled.route(m.envelope(), m.message(), "demo-sender", history);
    // Then every recipient routed without rules is routed alike with them (rules only add)
    Map<String, RecipientOutcome> afterById = new HashMap<>();
    after.forEach(o -> afterById.put(o.agencyId(), o));
    for (RecipientOutcome o : before) {
      RecipientOutcome a = afterById.get(o.agencyId());
      assertTrue(a != null, () -> o.agencyId() + " lost by rules");
      assertEquals(o.getClass(), a.getClass(), o.agencyId());
      assertEquals(o.via(), a.via(), o.agencyId());
    }
    boolean added = after.stream().anyMatch(a -> a.via().ruleName() != null);
    boolean flaggedProgramme = false;
    for (RecipientOutcome a : after) {
      Agency agency = AGENCIES.find(a.agencyId()).orElse(null);
      if (a.via().ruleName() != null && !m.senderMayLearn()) {
        // a sender that may not learn the history never sees a recipient it added
        assertTrue(!ruled.policy().rule(a.via().ruleName()).orElseThrow().usesHistory());
      }
      if (a.via().ruleName() != null) {
        // an added recipient may receive the type, is in the area, and is never a programme
        assertInstanceOf(RecipientOutcome.Deliver.class, a);
        assertTrue(SHIPPED.mayReceive(agency.type(), m.envelope().type()));
        assertTrue(agency.areas().contains(AREA));
        assertTrue(!agency.type().equals(PROGRAMME), a.agencyId());
      }
      if (agency != null && agency.type().equals(PROGRAMME)) {
        assertTrue(
            before.stream().anyMatch(b -> b.agencyId().equals(a.agencyId())),
            "a programme is never added by a rule");
        if (a instanceof RecipientOutcome.Deliver d) {
          // its copy, through redaction and the guard, carries no flag and no guarded category
          Copy copy =
              new Copy(
                  m.envelope(),
                  "demo-sender",
                  Instant.EPOCH,
                  Fixtures.recipient(agency),
                  m.message(),
                  List.of(),
                  Set.of(),
                  d.flags());
          flaggedProgramme |= !d.flags().isEmpty();
          StageOutcome out = STAGE.apply(copy);
          if (out instanceof StageOutcome.Pass p) {
            assertEquals(List.of(), p.copy().flags());
            Set<String> held =
                Set.copyOf(SchemaOracle.leaves(p.copy().view(), m.envelope().type()).values());
            assertTrue(held.stream().noneMatch(SchemaOracle.GUARDED::contains), held::toString);
          }
        }
      }
    }
    Statistics.label("rule added a recipient").collect(added);
    Statistics.label("programme copy flagged before the guard").collect(flaggedProgramme);
    Statistics.label("rule added a recipient").coverage(c -> c.check(true).count(n -> n > 0));
    Statistics.label("programme copy flagged before the guard")
        .coverage(c -> c.check(true).count(n -> n > 0));
  }

  @Test
  void aRuleAddingAProgrammeStopsStartup() {
    RoutingRule toProgramme =
        new RoutingRule(
            "to-programme",
            "risk-disclosure",
            new RuleCondition.Equals(
                JsonPointer.compile("/payload/riskLevel"),
                Fixtures.MAPPER.getNodeFactory().textNode("high")),
            Set.of(PROGRAMME, AgencyType.of("marac")),
            null);
    DeployConfigException e =
        assertThrows(
            DeployConfigException.class,
            () -> SafetyGuard.requireNoRuleAddsAProgramme(withRules(List.of(toProgramme))));
    assertTrue(e.getMessage().contains("routing.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("to-programme"), e.getMessage());
  }
}
