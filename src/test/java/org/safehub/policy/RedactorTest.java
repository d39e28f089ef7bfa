package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyType;

class RedactorTest {

  private static final Set<DataCategory> EVERYTHING = DataCategory.known();

  private static JsonNode referral() {
    return Fixtures.example("referral", "valid-childrens-services-full.json");
  }

  @Test
  void untaggedFieldIsRemovedForEveryAgencyType() {
    // Given a referral with a field no schema declares, in the payload, in a nested object and at
    // the top
    ObjectNode message = (ObjectNode) referral().deepCopy();
    ((ObjectNode) message.get("payload")).put("gpSurgery", "Example Surgery, 3 High St");
    ((ObjectNode) message.get("payload").get("victim")).put("workplace", "Example Ltd");
    message.putObject("extra").put("anything", 1);
    SharingPolicy policy = Fixtures.shippedPolicy();
    for (String type : Fixtures.AGENCY_TYPES) {
      // When
      Redactor.Redaction r =
          Redactor.redact(
              message, Fixtures.messageMap("referral"), policy.allowed(AgencyType.of(type)));
      // Then
      assertTrue(r.view().path("payload").path("gpSurgery").isMissingNode(), type);
      assertTrue(r.view().path("payload").path("victim").path("workplace").isMissingNode(), type);
      assertTrue(r.view().path("extra").isMissingNode(), type);
      assertTrue(r.removedCategories().contains(CategoryMap.UNTAGGED), type);
    }
  }

  @Test
  void untaggedFieldIsRemovedEvenWhenEveryCategoryIsAllowed() {
    // Given
    ObjectNode message = (ObjectNode) referral().deepCopy();
    ((ObjectNode) message.get("payload")).put("gpSurgery", "Example Surgery");
    // When
    Redactor.Redaction r = Redactor.redact(message, Fixtures.messageMap("referral"), EVERYTHING);
    // Then
    assertTrue(r.view().path("payload").path("gpSurgery").isMissingNode());
    assertEquals(List.of(CategoryMap.UNTAGGED), r.removedCategories());
  }

  @Test
  void emptiedContainersAreRemoved() {
    // Given a referral whose victim block holds only victim location and contact
    JsonNode message = referral();
    assertTrue(message.path("payload").path("victim").size() > 0);
    // When redacted for an agency type that may hold neither
    Redactor.Redaction r =
        Redactor.redact(
            message,
            Fixtures.messageMap("referral"),
            EnumSet.of(DataCategory.OPERATIONAL, DataCategory.RISK));
    // Then no empty victim block betrays that there was one
    assertTrue(r.view().path("payload").path("victim").isMissingNode(), r.view().toString());
    assertTrue(r.view().path("payload").path("perpetrator").isMissingNode());
    assertTrue(r.view().path("payload").path("offenceHistory").isMissingNode());
    assertEquals(
        message.path("payload").path("riskLevel"), r.view().path("payload").path("riskLevel"));
  }

  @Test
  void payloadEmptiedByRedactionIsRemovedButTheEnvelopeStays() {
    // Given
    JsonNode message = referral();
    // When only operational leaves are allowed and the payload has none left
    ObjectNode payloadOnlyVictim = (ObjectNode) message.deepCopy();
    payloadOnlyVictim.set(
        "payload", Fixtures.json("{\"victim\": {\"address\": \"1 Example St\"}}"));
    Redactor.Redaction r =
        Redactor.redact(
            payloadOnlyVictim,
            Fixtures.messageMap("referral"),
            EnumSet.of(DataCategory.OPERATIONAL));
    // Then
    assertTrue(r.view().path("payload").isMissingNode());
    assertEquals(message.get("messageId"), r.view().get("messageId"));
    assertEquals(
        message.path("legalBasis").path("basis"), r.view().path("legalBasis").path("basis"));
    assertEquals(message.get("subjects"), r.view().get("subjects"));
  }

  @Test
  void disallowedArrayOfScalarsIsRemovedWhole() {
    // Given a referral with health concerns as codes
    JsonNode message = referral();
    assertTrue(message.path("payload").path("healthConcerns").size() > 0);
    // When redacted for partner support (no health)
    Redactor.Redaction r =
        Redactor.redact(
            message,
            Fixtures.messageMap("referral"),
            Fixtures.shippedPolicy().allowed(AgencyType.of("partner-support")));
    // Then
    assertTrue(r.view().path("payload").path("healthConcerns").isMissingNode());
    assertTrue(r.removedCategories().contains("health"));
  }

  @Test
  void arrayThatWouldLoseAnElementIsRemovedWholeSoNothingKeptMovesIndex() {
    // Given subjects where the second element holds only an undeclared field
    ObjectNode message = (ObjectNode) referral().deepCopy();
    message.set(
        "subjects",
        Fixtures.json(
            "[{\"ref\": \"SUBJ-V-0001\", \"role\": \"victim\"}, {\"nickname\": \"Jo\"}]"));
    // When
    Redactor.Redaction r = Redactor.redact(message, Fixtures.messageMap("referral"), EVERYTHING);
    // Then
    assertTrue(r.view().path("subjects").isMissingNode());
    assertEquals(List.of("operational", "untagged"), r.removedCategories());
  }

  @Test
  void inputIsNeverChanged() {
    // Given
    JsonNode message = referral();
    JsonNode before = message.deepCopy();
    // When
    Redactor.redact(message, Fixtures.messageMap("referral"), EnumSet.of(DataCategory.OPERATIONAL));
    // Then
    assertEquals(before, message);
  }

  @Test
  void removedCategoriesAreSortedDistinctNamesNeverValues() {
    // Given
    JsonNode message = Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
    // When
    Redactor.Redaction r =
        Redactor.redact(
            message, Fixtures.messageMap("risk-disclosure"), EnumSet.of(DataCategory.OPERATIONAL));
    // Then
    assertEquals(
        List.of(
            "child-detail",
            "child-location",
            "criminal-offence",
            "free-text",
            "health",
            "identity",
            "risk",
            "victim-contact",
            "victim-location"),
        r.removedCategories());
    assertFalse(r.removedCategories().toString().contains("Example"));
  }

  @Test
  void emptyArrayInTheMessageIsALeafOfItsTaggedCategory() {
    // Given
    ObjectNode message =
        (ObjectNode)
            Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json").deepCopy();
    ((ObjectNode) message.get("payload")).putArray("riskFactors");
    // When / Then
    assertTrue(
        Redactor.redact(
                message,
                Fixtures.messageMap("risk-disclosure"),
                EnumSet.of(DataCategory.OPERATIONAL, DataCategory.RISK))
            .view()
            .path("payload")
            .path("riskFactors")
            .isArray());
    assertTrue(
        Redactor.redact(
                message,
                Fixtures.messageMap("risk-disclosure"),
                EnumSet.of(DataCategory.OPERATIONAL))
            .view()
            .path("payload")
            .path("riskFactors")
            .isMissingNode());
  }
}
