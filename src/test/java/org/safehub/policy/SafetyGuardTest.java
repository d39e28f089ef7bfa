package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafetyGuardTest {

  @Test
  void guardStripsVictimAndChildWhereaboutsAndFreeTextFromAnUnredactedMessageForAProgramme() {
    // Given a risk disclosure no policy has touched
    JsonNode message = Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
    // When
    SafetyGuard.Guarded g = SafetyGuard.apply(message, Fixtures.messageMap("risk-disclosure"), Fixtures.PROGRAMME);
    // Then
    JsonNode p = g.view().path("payload");
    for (String field : List.of("victimAddress", "victimPostcode", "victimPhone", "safeContactTimes", "childSchool", "note")) {
      assertTrue(p.path(field).isMissingNode(), field);
    }
    assertTrue(g.view().path("legalBasis").path("justification").isMissingNode());
    assertEquals("high", p.path("riskLevel").asText());
    assertEquals(List.of("child-location", "free-text", "victim-contact", "victim-location"), g.removedCategories());
    assertTrue(g.alert());
  }

  @Test
  void guardLeavesEveryOtherAgencyTypeAlone() {
    // Given
    JsonNode message = Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
    for (String type : List.of("partner-support", "childrens-services", "mash", "marac", "police")) {
      // When
      SafetyGuard.Guarded g = SafetyGuard.apply(message, Fixtures.messageMap("risk-disclosure"), type);
      // Then
      assertSame(message, g.view(), type);
      assertFalse(g.alert(), type);
    }
  }

  @Test
  void guardRejectsEveryGuardedCategoryForAProgrammeAndNothingElse() {
    // Given / When / Then
    assertEquals(
        List.of(DataCategory.VICTIM_LOCATION, DataCategory.VICTIM_CONTACT, DataCategory.CHILD_LOCATION, DataCategory.FREE_TEXT),
        SafetyGuard.forbiddenIn(Fixtures.PROGRAMME, DataCategory.known()));
    assertEquals(List.of(), SafetyGuard.forbiddenIn("mash", DataCategory.known()));
    assertEquals(List.of(), SafetyGuard.forbiddenIn(Fixtures.PROGRAMME, List.of(DataCategory.OPERATIONAL, DataCategory.RISK)));
  }
}
