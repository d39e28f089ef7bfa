package org.safehub.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseRole;
import org.safehub.config.DeployConfigException;
import org.safehub.envelope.Envelope;

/**
 * The rules of routing.yaml: the shipped ones, what they add and flag, and the faults that stop
 * start-up (naming the file and the place).
 */
class RoutingRulesTest {

  private static final Path DEPLOY = Path.of("deploy/config");
  private static final Set<String> TYPES =
      Set.of(
          "referral",
          "assessment-outcome",
          "attendance",
          "programme-exit",
          "risk-disclosure",
          "child-protection-alert",
          "marac-referral",
          "marac-action",
          "partner-contact-summary",
          "consent-change",
          "acknowledgement");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private final AgencyDirectory agencies = AgencyDirectory.load(DEPLOY);
  private final Router router = new Router(agencies, RoutingPolicy.load(DEPLOY, agencies, TYPES));

  private static ObjectNode message(String type, String priority, List<String> recipients) {
    ObjectNode m = MAPPER.createObjectNode();
    m.put("messageId", "8a0f3f5e-4b7e-4d2e-9a51-2f7c1b6d0e11");
    m.put("type", type);
    m.put("schemaVersion", 1);
    m.put("caseRef", "CASE-1");
    m.put("area", "E08000026");
    m.put("sentAt", "2026-11-30T10:00:00Z");
    m.put("priority", priority);
    recipients.forEach(m.putArray("recipients")::add);
    m.putObject("legalBasis").put("basis", "vital-interests");
    m.putArray("subjects").addObject().put("ref", "SUBJ-V-1").put("role", "victim");
    m.putObject("payload");
    return m;
  }

  private Map<String, String> viaOf(JsonNode m, String sender, ReferralHistory history) {
    Map<String, String> out = new TreeMap<>();
    for (RecipientOutcome o : router.route(Envelope.of(m), m, sender, history)) {
      out.put(o.agencyId(), o.via().wire());
    }
    return out;
  }

  @Test
  void shippedRulesLoad() {
    assertEquals(
        List.of("high-risk-disclosure", "marac-threshold", "repeat-marac"),
        router.policy().rules().stream().map(RoutingRule::name).toList());
    assertTrue(router.policy().rule("repeat-marac").orElseThrow().usesHistory());
  }

  @Test
  void highRiskDisclosureAddsTheAreasMaracAndMashOnly() {
    // Given a routine high-risk disclosure naming only partner support
    ObjectNode m = message("risk-disclosure", "routine", List.of("demo-iss"));
    ((ObjectNode) m.get("payload")).put("riskLevel", "high");
    // When / Then: MARAC and MASH of E08000026 by the rule, none of E08000025
    assertEquals(
        Map.of(
            "demo-iss", "explicit",
            "demo-cs", "subscription",
            "demo-dvpp", "subscription",
            "demo-marac", "rule:high-risk-disclosure",
            "demo-mash", "rule:high-risk-disclosure"),
        viaOf(m, "demo2-iss", ReferralHistory.NONE));
    // and a medium one adds nothing
    ((ObjectNode) m.get("payload")).put("riskLevel", "medium");
    assertEquals(
        Map.of("demo-iss", "explicit", "demo-cs", "subscription", "demo-dvpp", "subscription"),
        viaOf(m, "demo2-iss", ReferralHistory.NONE));
  }

  @Test
  void onAKnownCaseARuleAddsTheAgenciesOfTheCasesAreaAndMembersComeViaCase() {
    // Given a case in E08000025 with demo-iss (of E08000026) as its partner support and the
    // sender, demo-cs, as its children's services
    CaseFile file =
        new CaseFile(
            "CASE-1",
            "E08000025",
            true,
            Map.of("demo-iss", CaseRole.PARTNER_SUPPORT, "demo-cs", CaseRole.CHILDRENS_SERVICES),
            Instant.EPOCH,
            Instant.EPOCH);
    Router withCase =
        new Router(agencies, RoutingPolicy.load(DEPLOY, agencies, TYPES), ref -> Optional.of(file));
    // When a high-risk disclosure on it says area E08000026
    ObjectNode m = message("risk-disclosure", "routine", List.of());
    ((ObjectNode) m.get("payload")).put("riskLevel", "high");
    Map<String, String> via = new TreeMap<>();
    for (RecipientOutcome o : withCase.route(Envelope.of(m), m, "demo-cs", ReferralHistory.NONE)) {
      via.put(o.agencyId(), o.via().wire());
    }
    // Then the rule adds the MARAC and MASH of E08000025 (the case's), not of E08000026
    assertEquals("rule:high-risk-disclosure", via.get("demo2-marac"), via.toString());
    assertEquals("rule:high-risk-disclosure", via.get("demo2-mash"), via.toString());
    assertFalse(via.containsKey("demo-marac"), via.toString());
    assertFalse(via.containsKey("demo-mash"), via.toString());
    // and the member is there for the case
    assertEquals("case", via.get("demo-iss"));
  }

  @Test
  void toASenderThatIsNotAMemberAKnownCaseDoesNotExist() {
    // Given the same case, without demo-cs
    CaseFile file =
        new CaseFile(
            "CASE-1",
            "E08000025",
            true,
            Map.of("demo-iss", CaseRole.PARTNER_SUPPORT),
            Instant.EPOCH,
            Instant.EPOCH);
    Router withCase =
        new Router(agencies, RoutingPolicy.load(DEPLOY, agencies, TYPES), ref -> Optional.of(file));
    Router withoutCase =
        new Router(agencies, RoutingPolicy.load(DEPLOY, agencies, TYPES), ref -> Optional.empty());
    ObjectNode m = message("risk-disclosure", "routine", List.of());
    ((ObjectNode) m.get("payload")).put("riskLevel", "high");
    // When demo-cs, not a member, sends a high-risk disclosure on its caseRef
    Map<String, String> via = new TreeMap<>();
    for (RecipientOutcome o : withCase.route(Envelope.of(m), m, "demo-cs", ReferralHistory.NONE)) {
      via.put(o.agencyId(), o.via().wire());
    }
    Map<String, String> none = new TreeMap<>();
    for (RecipientOutcome o :
        withoutCase.route(Envelope.of(m), m, "demo-cs", ReferralHistory.NONE)) {
      none.put(o.agencyId(), o.via().wire());
    }
    // Then it routes as on no case: the message's area for the rule, no member via the case
    assertEquals(none, via);
    assertFalse(via.containsValue("case"), via.toString());
    assertEquals("rule:high-risk-disclosure", via.get("demo-marac"), via.toString());
  }

  @Test
  void explicitRecipientStaysExplicitWhenARuleAlsoAddsIt() {
    ObjectNode m = message("risk-disclosure", "routine", List.of("demo-marac"));
    ((ObjectNode) m.get("payload")).put("riskLevel", "high");
    assertEquals("explicit", viaOf(m, "demo-iss", ReferralHistory.NONE).get("demo-marac"));
  }

  @ParameterizedTest
  @CsvSource({
    "professional-judgement, 14, true",
    "professional-judgement, 13, false",
    "potential-escalation, 3, true",
    "visible-high-risk, 16, true"
  })
  void maracThresholdAppliesAtDash14OrOnTheHighRiskCriteria(
      String criterion, int dash, boolean applies) {
    ObjectNode m = message("marac-referral", "routine", List.of());
    ((ObjectNode) m.get("payload")).put("criterion", criterion).put("dashScore", dash);
    RoutingRule rule = router.policy().rule("marac-threshold").orElseThrow();
    assertEquals(applies, rule.matches(Envelope.of(m), m, ReferralHistory.NONE));
  }

  @Test
  void repeatReferralIsFlaggedAndAddsMaracWhateverItsScore() {
    // Given a low-score referral whose victim was referred recently (the history says so)
    ObjectNode m = message("marac-referral", "routine", List.of("demo-mash"));
    ((ObjectNode) m.get("payload")).put("criterion", "professional-judgement").put("dashScore", 5);
    Envelope e = Envelope.of(m);
    // When
    List<RecipientOutcome> repeat = router.route(e, m, "demo-iss", (env, within) -> true);
    List<RecipientOutcome> first = router.route(e, m, "demo-iss", ReferralHistory.NONE);
    // Then every copy of the repeat carries the flag; the first carries none
    for (RecipientOutcome o : repeat) {
      assertEquals(
          List.of("repeat-marac-referral"), ((RecipientOutcome.Deliver) o).flags(), o.agencyId());
    }
    for (RecipientOutcome o : first) {
      assertEquals(List.of(), ((RecipientOutcome.Deliver) o).flags(), o.agencyId());
    }
  }

  @Test
  void historyRuleAddsNoRecipientToAMessageWhoseSenderMayNotLearnTheHistoryButStillFlags()
      throws IOException {
    // Given a MARAC that does not subscribe to referrals, so only a rule brings it one
    Files.copy(DEPLOY.resolve("agencies.yaml"), dir.resolve("agencies.yaml"));
    Files.writeString(
        dir.resolve("routing.yaml"),
        Files.readString(DEPLOY.resolve("routing.yaml"))
            .replace("types: [marac-referral, programme-exit]", "types: [programme-exit]"));
    AgencyDirectory a = AgencyDirectory.load(dir);
    Router r = new Router(a, RoutingPolicy.load(dir, a, TYPES));
    ObjectNode m = message("marac-referral", "routine", List.of("demo-mash"));
    ((ObjectNode) m.get("payload")).put("criterion", "professional-judgement").put("dashScore", 5);
    // When the victim was referred before, for a sender that may learn it and for one that may not
    ReferralHistory mayLearn = (e, within) -> true;
    ReferralHistory mayNot =
        new ReferralHistory() {
          @Override
          public boolean referredWithin(Envelope e, Period within) {
            return true;
          }

          @Override
          public boolean mayAddRecipients() {
            return false;
          }
        };
    List<RecipientOutcome> learns = r.route(Envelope.of(m), m, "demo-iss", mayLearn);
    List<RecipientOutcome> not = r.route(Envelope.of(m), m, "demo-dvpp", mayNot);
    // Then the MARAC is added for the first only; the MASH's copy is flagged a repeat in both
    assertEquals(
        List.of("demo-marac:rule:repeat-marac", "demo-mash:explicit"),
        learns.stream().map(o -> o.agencyId() + ":" + o.via()).toList());
    assertEquals(
        List.of("demo-mash:explicit"),
        not.stream().map(o -> o.agencyId() + ":" + o.via()).toList());
    for (RecipientOutcome o : not) {
      assertEquals(List.of("repeat-marac-referral"), ((RecipientOutcome.Deliver) o).flags());
    }
  }

  private Path deployWithRules(String rules) throws IOException {
    Files.copy(DEPLOY.resolve("agencies.yaml"), dir.resolve("agencies.yaml"));
    String routing = Files.readString(DEPLOY.resolve("routing.yaml"));
    routing = routing.substring(0, routing.indexOf("\nrules:")) + "\nrules:\n" + rules;
    Files.writeString(dir.resolve("routing.yaml"), routing);
    return dir;
  }

  private DeployConfigException refused(String rules) throws IOException {
    Path d = deployWithRules(rules);
    return assertThrows(
        DeployConfigException.class, () -> RoutingPolicy.load(d, AgencyDirectory.load(d), TYPES));
  }

  @Test
  void ruleSendingATypeToAnAgencyTypeThatMayNotReceiveItStopsStartup() throws IOException {
    DeployConfigException e =
        refused(
            "  - name: to-support\n    type: marac-referral\n"
                + "    when: {field: /payload/dashScore, atLeast: 1}\n    to: [partner-support]\n");
    assertTrue(e.getMessage().contains("routing.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("/rules/0/to"), e.getMessage());
    assertTrue(e.getMessage().contains("may not receive"), e.getMessage());
  }

  private static final String WHEN = "    when: {field: /payload/x, equals: 1}\n";

  static Stream<Arguments> invalidRules() {
    return Stream.of(
        // an unknown message type
        arguments(rule("school-news", WHEN, "[marac]"), "/rules/0/type"),
        // an unknown agency type
        arguments(rule("risk-disclosure", WHEN, "[police]"), "/rules/0/to"),
        // an unknown key (a typo must not pass silently)
        arguments(
            rule("risk-disclosure", WHEN.replace("when:", "whn:"), "[marac]"), "/rules/0/whn"),
        // no condition
        arguments(rule("risk-disclosure", "", "[marac]"), "/rules/0"),
        // a field that is not a JSON pointer
        arguments(
            rule(
                "risk-disclosure",
                "    when: {field: payload.riskLevel, equals: high}\n",
                "[marac]"),
            "/rules/0/when/field"),
        // atLeast that is not a number
        arguments(
            rule("risk-disclosure", "    when: {field: /payload/x, atLeast: high}\n", "[marac]"),
            "/rules/0/when/atLeast"),
        // the history condition on another type
        arguments(
            rule("risk-disclosure", "    when: {referredToMaracWithin: P12M}\n", "[marac]"),
            "/rules/0/when"),
        // a period that is not one
        arguments(
            rule("marac-referral", "    when: {referredToMaracWithin: a year}\n", "[marac]"),
            "/rules/0/when/referredToMaracWithin"),
        // two rules of one name
        arguments(
            rule("risk-disclosure", WHEN, "[marac]") + rule("risk-disclosure", WHEN, "[mash]"),
            "/rules/1/name"),
        // an empty any
        arguments(rule("risk-disclosure", "    when: {any: []}\n", "[marac]"), "/rules/0/when/any"),
        // a flag with capitals
        arguments(
            rule("risk-disclosure", WHEN, "[marac]") + "    flag: Repeat\n", "/rules/0/flag"));
  }

  private static String rule(String type, String when, String to) {
    return "  - name: r1\n    type: " + type + "\n" + when + "    to: " + to + "\n";
  }

  @ParameterizedTest
  @MethodSource("invalidRules")
  void invalidRuleStopsStartupNamingFileAndPlace(String rules, String where) throws IOException {
    DeployConfigException e = refused(rules);
    assertTrue(e.getMessage().contains("routing.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains(where + ":"), e.getMessage());
  }

  @Test
  void repeatRuleAsksTheHistoryForTwelveMonths() {
    // the history itself (earlier referrals, the clock) is tested on the real database
    // (RiskRulesIT)
    ObjectNode m = message("marac-referral", "routine", List.of());
    ((ObjectNode) m.get("payload")).put("criterion", "professional-judgement");
    RoutingRule rule = router.policy().rule("repeat-marac").orElseThrow();
    assertTrue(rule.matches(Envelope.of(m), m, (e, within) -> within.toTotalMonths() == 12));
    assertTrue(!rule.matches(Envelope.of(m), m, (e, within) -> within.toTotalMonths() != 12));
  }
}
