package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyType;

class SafetyGuardTest {

  @Test
  void guardStripsVictimAndChildWhereaboutsAndFreeTextFromAnUnredactedMessageForAProgramme() {
    // Given a risk disclosure no policy has touched
    JsonNode message = Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
    // When
    SafetyGuard.Guarded g =
        SafetyGuard.apply(
            message, Fixtures.messageMap("risk-disclosure"), AgencyType.of(Fixtures.PROGRAMME));
    // Then
    JsonNode p = g.view().path("payload");
    for (String field :
        List.of(
            "victimAddress",
            "victimPostcode",
            "victimPhone",
            "safeContactTimes",
            "childSchool",
            "note")) {
      assertTrue(p.path(field).isMissingNode(), field);
    }
    assertTrue(g.view().path("legalBasis").path("justification").isMissingNode());
    assertEquals("high", p.path("riskLevel").asText());
    assertEquals(
        List.of("child-location", "free-text", "victim-contact", "victim-location"),
        g.removedCategories());
    assertTrue(g.alert());
  }

  @Test
  void guardLeavesEveryOtherAgencyTypeAlone() {
    // Given
    JsonNode message = Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
    for (String type :
        List.of("partner-support", "childrens-services", "mash", "marac", "police")) {
      // When
      SafetyGuard.Guarded g =
          SafetyGuard.apply(message, Fixtures.messageMap("risk-disclosure"), AgencyType.of(type));
      // Then
      assertSame(message, g.view(), type);
      assertFalse(g.alert(), type);
    }
  }

  @Test
  void guardDropsTheOtherRecipientsFromAProgrammeViewWithoutAnAlert() {
    // Given a message whose envelope names its recipients, and which holds nothing else the guard
    // removes
    com.fasterxml.jackson.databind.node.ObjectNode message =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            Fixtures.example("risk-disclosure", "valid-minimal.json").deepCopy();
    message.putArray("recipients").add("demo-iss").add("demo-dvpp");
    // When
    SafetyGuard.Guarded programme =
        SafetyGuard.apply(
            message, Fixtures.messageMap("risk-disclosure"), AgencyType.of(Fixtures.PROGRAMME));
    SafetyGuard.Guarded partner =
        SafetyGuard.apply(
            message, Fixtures.messageMap("risk-disclosure"), AgencyType.of("partner-support"));
    // Then
    assertTrue(programme.view().path("recipients").isMissingNode(), programme.view().toString());
    assertEquals(2, message.path("recipients").size(), "the input is not changed");
    assertEquals(message.get("recipients"), partner.view().get("recipients"));
    assertEquals(
        Set.of("victim-location", "victim-contact", "child-location", "free-text"),
        SafetyGuard.unnamedTo(AgencyType.of(Fixtures.PROGRAMME)));
    assertEquals(Set.of(), SafetyGuard.unnamedTo(AgencyType.of("partner-support")));
  }

  @Test
  void guardRejectsEveryGuardedCategoryForAProgrammeAndNothingElse() {
    // Given / When / Then
    assertEquals(
        List.of(
            DataCategory.VICTIM_LOCATION,
            DataCategory.VICTIM_CONTACT,
            DataCategory.CHILD_LOCATION,
            DataCategory.FREE_TEXT),
        SafetyGuard.forbiddenIn(AgencyType.of(Fixtures.PROGRAMME), DataCategory.known()));
    assertEquals(List.of(), SafetyGuard.forbiddenIn(AgencyType.of("mash"), DataCategory.known()));
    assertEquals(
        List.of(),
        SafetyGuard.forbiddenIn(
            AgencyType.of(Fixtures.PROGRAMME),
            List.of(DataCategory.OPERATIONAL, DataCategory.RISK)));
  }
}
