package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;

/**
 * The redaction invariants, over generated messages of every type (from the real schemas) and
 * generated valid policies: the guard's categories never reach a perpetrator programme, nothing
 * outside the policy reaches anyone, nothing kept is added or altered, and the copy names exactly
 * the categories it lost. Categories are checked with the tests' own reading of the schemas.
 */
class RedactionPropertiesTest {

  private static final int TRIES = 1000;

  private static final Map<String, Arbitrary<JsonNode>> BY_TYPE =
      Fixtures.CATALOGUE.types().stream()
          .collect(Collectors.toMap(t -> t, MessageArbitraries::message));

  // a type first, then a message of it; jqwik's edge cases are off because they pile onto one type,
  // and the generator already mixes in the awkward values (empty strings, wrong shapes, unknown
  // keys)
  private static final Arbitrary<JsonNode> MESSAGES =
      Arbitraries.of(List.copyOf(BY_TYPE.keySet())).flatMap(BY_TYPE::get);

  @Provide
  Arbitrary<JsonNode> messages() {
    return MESSAGES;
  }

  /**
   * Random valid policies: for each agency type a random subset of categories, always operational,
   * never a guarded one to a programme.
   */
  @Provide
  Arbitrary<SharingPolicy> policies() {
    List<Arbitrary<Map.Entry<String, Set<DataCategory>>>> entries = new ArrayList<>();
    for (String type : Fixtures.AGENCY_TYPES) {
      Set<DataCategory> candidates = EnumSet.copyOf(DataCategory.known());
      if (type.equals(Fixtures.PROGRAMME)) {
        candidates.removeAll(SafetyGuard.NEVER_TO_PROGRAMME);
      }
      entries.add(
          Arbitraries.subsetOf(candidates)
              .map(
                  s -> {
                    Set<DataCategory> allowed = EnumSet.of(DataCategory.OPERATIONAL);
                    allowed.addAll(s);
                    return Map.entry(type, allowed);
                  }));
    }
    return Combinators.combine(entries)
        .as(
            list -> {
              Map<AgencyType, Set<DataCategory>> m = new LinkedHashMap<>();
              list.forEach(e -> m.put(AgencyType.of(e.getKey()), e.getValue()));
              return SharingPolicy.of(m);
            });
  }

  @Provide
  Arbitrary<String> agencyTypes() {
    return Arbitraries.of(Fixtures.AGENCY_TYPES);
  }

  private static Copy redact(JsonNode message, String agencyType, CopyStage stage) {
    StageOutcome outcome = stage.apply(Fixtures.copyFor(message, agencyType));
    return assertInstanceOf(StageOutcome.Pass.class, outcome).copy();
  }

  private static String type(JsonNode message) {
    return message.path("type").asText();
  }

  private static Set<String> categoriesIn(JsonNode view, String type) {
    return new TreeSet<>(SchemaOracle.leaves(view, type).values());
  }

  // (a) with a valid policy, through the whole stage
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void programmeCopyNeverHoldsAGuardedCategory(
      @ForAll("messages") JsonNode message, @ForAll("policies") SharingPolicy policy) {
    // Given
    List<GuardAlert> alerts = new ArrayList<>();
    CopyStage stage = Fixtures.redactAndGuard(policy, alerts::add);
    Statistics.collect(type(message));
    // When
    Copy copy = redact(message, Fixtures.PROGRAMME, stage);
    // Then
    Set<String> held = categoriesIn(copy.view(), type(message));
    assertTrue(
        held.stream().noneMatch(SchemaOracle.GUARDED::contains),
        () -> "programme copy holds " + held);
    assertFalse(held.contains(CategoryMap.UNTAGGED));
    assertEquals(List.of(), alerts, "a valid policy never leaves the guard anything to do");
    Statistics.coverage(c -> Fixtures.CATALOGUE.types().forEach(t -> c.check(t).count(n -> n > 0)));
  }

  // (a) the guard on its own, given a message no policy has touched (as if a policy allowed
  // everything)
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void guardAloneKeepsGuardedCategoriesFromAProgrammeWhateverItIsGiven(
      @ForAll("messages") JsonNode message) {
    // Given
    // the other recipients are dropped before the guard looks (not a category, no alert): count
    // what remains
    Set<String> before =
        categoriesIn(
            SafetyGuard.withoutOtherRecipients(message, AgencyType.of(Fixtures.PROGRAMME)),
            type(message));
    // When
    SafetyGuard.Guarded g =
        SafetyGuard.apply(
            message, Fixtures.messageMap(type(message)), AgencyType.of(Fixtures.PROGRAMME));
    // Then
    Set<String> held = categoriesIn(g.view(), type(message));
    assertTrue(
        held.stream().noneMatch(SchemaOracle.GUARDED::contains),
        () -> "guarded view holds " + held);
    assertFalse(held.contains(CategoryMap.UNTAGGED));
    boolean hadSomethingToRemove =
        before.stream()
            .anyMatch(c -> SchemaOracle.GUARDED.contains(c) || c.equals(CategoryMap.UNTAGGED));
    assertEquals(hadSomethingToRemove, g.alert());
  }

  // (a) a hostile policy that allows everything, fed past the policy checks straight into the stage
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void stageWithAPolicyAllowingEverythingStillKeepsGuardedCategoriesFromAProgrammeAndAlerts(
      @ForAll("messages") JsonNode message) {
    // Given
    List<GuardAlert> alerts = new ArrayList<>();
    CopyStage hostile = Fixtures.redactAndGuard(t -> DataCategory.known(), alerts::add);
    Set<String> guardedBefore =
        // what reaches the guard: redaction under that policy still drops untagged leaves (and a
        // guarded leaf inside
        // what it drops is gone before the guard looks), and the other recipients are never shown
        // to a programme
        categoriesIn(
                Redactor.redact(
                        SafetyGuard.withoutOtherRecipients(
                            message, AgencyType.of(Fixtures.PROGRAMME)),
                        Fixtures.messageMap(type(message)),
                        DataCategory.known())
                    .view(),
                type(message))
            .stream()
            .filter(SchemaOracle.GUARDED::contains)
            .collect(Collectors.toCollection(TreeSet::new));
    // When
    Copy copy = redact(message, Fixtures.PROGRAMME, hostile);
    // Then
    Set<String> held = categoriesIn(copy.view(), type(message));
    assertTrue(
        held.stream().noneMatch(SchemaOracle.GUARDED::contains),
        () -> "programme copy holds " + held);
    if (guardedBefore.isEmpty()) {
      assertEquals(List.of(), alerts);
    } else {
      assertEquals(1, alerts.size());
      Set<String> alerted =
          alerts.get(0).categories().stream()
              .filter(SchemaOracle.GUARDED::contains)
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(guardedBefore, alerted);
      assertTrue(copy.removedCategories().containsAll(guardedBefore));
    }
  }

  // (b)
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void everyLeafInACopyHasACategoryThePolicyAllows(
      @ForAll("messages") JsonNode message,
      @ForAll("policies") SharingPolicy policy,
      @ForAll("agencyTypes") String agencyType) {
    // Given
    CopyStage stage = Fixtures.redactAndGuard(policy, a -> {});
    Set<String> allowed =
        policy.allowed(AgencyType.of(agencyType)).stream()
            .map(DataCategory::wire)
            .collect(Collectors.toSet());
    // When
    Copy copy = redact(message, agencyType, stage);
    // Then
    SchemaOracle.leaves(copy.view(), type(message))
        .forEach(
            (pointer, category) ->
                assertTrue(
                    allowed.contains(category),
                    () -> agencyType + " got " + category + " at " + pointer));
  }

  // (c)
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void redactionNeverAddsOrAltersAValueItKeeps(
      @ForAll("messages") JsonNode message,
      @ForAll("policies") SharingPolicy policy,
      @ForAll("agencyTypes") String agencyType) {
    // Given
    CopyStage stage = Fixtures.redactAndGuard(policy, a -> {});
    JsonNode original = message.deepCopy();
    // When
    Copy copy = redact(message, agencyType, stage);
    // Then
    SchemaOracle.values(copy.view())
        .forEach(
            (pointer, value) -> {
              JsonNode there = original.at(pointer);
              assertEquals(value, there, () -> "changed or added at " + pointer);
            });
    assertEquals(original, message, "the input was changed");
  }

  // (d)
  @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
  void removedCategoriesAreExactlyThoseOfTheRemovedLeaves(
      @ForAll("messages") JsonNode message,
      @ForAll("policies") SharingPolicy policy,
      @ForAll("agencyTypes") String agencyType) {
    // Given
    CopyStage stage = Fixtures.redactAndGuard(policy, a -> {});
    Map<String, String> before = SchemaOracle.leaves(message, type(message));
    // When
    Copy copy = redact(message, agencyType, stage);
    // Then
    Set<String> kept = SchemaOracle.values(copy.view()).keySet();
    // a programme's copy also loses the envelope's list of recipients, which is not a category and
    // is named nowhere
    boolean programme = agencyType.equals(Fixtures.PROGRAMME);
    if (programme) {
      assertTrue(
          copy.view().path("recipients").isMissingNode(), "a programme's copy lists no recipients");
    }
    Set<String> lost =
        before.entrySet().stream()
            .filter(e -> !kept.contains(e.getKey()))
            .filter(
                e ->
                    !(programme
                        && (e.getKey().equals("/recipients")
                            || e.getKey().startsWith("/recipients/"))))
            .map(Map.Entry::getValue)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(List.copyOf(lost), copy.removedCategories());
  }
}
