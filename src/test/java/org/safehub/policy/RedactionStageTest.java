package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.JsonCopyWriter;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Envelope;

class RedactionStageTest {

  private final List<GuardAlert> alerts = new ArrayList<>();
  private final CopyStage stage = Fixtures.redactAndGuard(Fixtures.shippedPolicy(), alerts::add);

  private static JsonNode riskDisclosure() {
    return Fixtures.example("risk-disclosure", "valid-high-risk-with-location.json");
  }

  private Copy passed(StageOutcome outcome) {
    return assertInstanceOf(StageOutcome.Pass.class, outcome).copy();
  }

  @Test
  void perpetratorProgrammeCopyOfRiskDisclosureHasNoAddressPhoneOrNote() {
    // Given a risk disclosure with the victim's address, phone and a note
    JsonNode message = riskDisclosure();
    // When
    Copy copy = passed(stage.apply(Fixtures.copyFor(message, Fixtures.PROGRAMME)));
    // Then
    JsonNode p = copy.view().path("payload");
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
    assertTrue(copy.view().path("legalBasis").path("justification").isMissingNode());
    assertEquals("high", p.path("riskLevel").asText());
    assertEquals("EX-2027-000456", p.path("policeIncidentRef").asText());
    assertEquals(
        List.of("child-location", "free-text", "victim-contact", "victim-location"),
        copy.removedCategories());
    assertEquals(
        List.of(),
        alerts,
        "the shipped policy already keeps these from the programme; the guard has nothing to do");
  }

  @Test
  void programmeCopyDocumentListsNoOtherRecipientAndNamesNoGuardedCategory() throws Exception {
    // Given a risk disclosure with an address, a phone, a school and a note, sent to named
    // recipients
    ObjectNode message = (ObjectNode) riskDisclosure().deepCopy();
    message.putArray("recipients").add("demo-iss").add("demo-cs").add("demo-dvpp");
    // When the programme's copy is made and written
    Copy copy = passed(stage.apply(Fixtures.copyFor(message, Fixtures.PROGRAMME)));
    ObjectNode document =
        new JsonCopyWriter(new com.fasterxml.jackson.databind.ObjectMapper()).document(copy);
    // Then the document says neither who else was told nor that an address, a phone, a school or a
    // note existed
    assertTrue(document.path("message").path("recipients").isMissingNode(), document.toString());
    assertEquals(List.of(), copy.namedRemovedCategories());
    assertTrue(
        document.path("removedCategories").isArray()
            && document.path("removedCategories").isEmpty(),
        document.toString());
    for (String guarded :
        List.of("victim-location", "victim-contact", "child-location", "free-text")) {
      assertTrue(!document.toString().contains(guarded), guarded + " in " + document);
    }
    // but the audit still learns every category removed, and the guard had nothing to alert about
    assertEquals(
        List.of("child-location", "free-text", "victim-contact", "victim-location"),
        copy.removedCategories());
    assertEquals(List.of(), alerts);
  }

  @Test
  void everyOtherAgencyTypeStillSeesItsRemovedCategoriesAndTheRecipients() throws Exception {
    ObjectNode message = (ObjectNode) riskDisclosure().deepCopy();
    message.putArray("recipients").add("demo-iss").add("demo-cs");
    // Given / When
    Copy copy = passed(stage.apply(Fixtures.copyFor(message, "partner-support")));
    ObjectNode document =
        new JsonCopyWriter(new com.fasterxml.jackson.databind.ObjectMapper()).document(copy);
    // Then
    assertEquals("[\"child-location\",\"health\"]", document.path("removedCategories").toString());
    assertEquals(message.get("recipients"), document.path("message").path("recipients"));
  }

  @Test
  void partnerSupportCopyOfRiskDisclosureKeepsAddressPhoneAndNote() {
    // Given
    JsonNode message = riskDisclosure();
    // When
    Copy copy = passed(stage.apply(Fixtures.copyFor(message, "partner-support")));
    // Then
    JsonNode p = copy.view().path("payload");
    assertEquals(message.path("payload").path("victimAddress"), p.path("victimAddress"));
    assertEquals(message.path("payload").path("victimPhone"), p.path("victimPhone"));
    assertEquals(message.path("payload").path("note"), p.path("note"));
    assertTrue(p.path("childSchool").isMissingNode());
    assertTrue(p.path("substanceMisuse").isMissingNode());
    assertEquals(List.of("child-location", "health"), copy.removedCategories());
  }

  @Test
  void childrensServicesCopyOfRiskDisclosureKeepsWhatItNeedsToProtectTheChildren() {
    // Given / When
    Copy copy = passed(stage.apply(Fixtures.copyFor(riskDisclosure(), "childrens-services")));
    // Then
    assertEquals(riskDisclosure(), copy.view());
    assertEquals(List.of(), copy.removedCategories());
  }

  @Test
  void envelopeRoutingFieldsSurviveForEveryAgencyType() {
    for (String type : Fixtures.AGENCY_TYPES) {
      // Given / When
      Copy copy = passed(stage.apply(Fixtures.copyFor(riskDisclosure(), type)));
      // Then
      for (String field :
          List.of(
              "messageId",
              "type",
              "schemaVersion",
              "caseRef",
              "area",
              "sentAt",
              "priority",
              "subjects")) {
        assertEquals(riskDisclosure().get(field), copy.view().get(field), type + " " + field);
      }
      assertEquals(
          "safeguarding-adult-at-risk",
          copy.view().path("legalBasis").path("basis").asText(),
          type);
    }
  }

  @Test
  void policyAllowingEverythingIsOverruledByTheGuardWhichRaisesAnAlertAndStillPasses() {
    // Given a policy no file could hold, fed straight to the stage
    CopyStage hostile = Fixtures.redactAndGuard(t -> DataCategory.known(), alerts::add);
    Copy in = Fixtures.copyFor(riskDisclosure(), Fixtures.PROGRAMME);
    // When
    Copy copy = passed(hostile.apply(in));
    // Then
    assertTrue(copy.view().path("payload").path("victimAddress").isMissingNode());
    assertTrue(copy.view().path("payload").path("note").isMissingNode());
    assertEquals(1, alerts.size());
    GuardAlert alert = alerts.get(0);
    assertEquals(in.envelope().messageId(), alert.messageId());
    assertEquals(in.recipient().id(), alert.recipient());
    assertEquals(
        List.of("child-location", "free-text", "victim-contact", "victim-location"),
        alert.categories());
    assertTrue(!alert.toString().contains("Example"), "an alert carries no values");
  }

  @Test
  void unknownSchemaWithholdsWithPolicyError() {
    // Given a copy whose type and version the catalogue does not know
    Copy known = Fixtures.copyFor(riskDisclosure(), "mash");
    Envelope e = known.envelope();
    Envelope v9 =
        new Envelope(
            e.messageId(),
            e.type(),
            9,
            e.caseRef(),
            e.area(),
            e.sentAt(),
            e.priority(),
            e.recipients(),
            e.legalBasis(),
            e.subjects());
    Copy copy =
        new Copy(
            v9, known.sender(), known.receivedAt(), known.recipient(), known.view(), List.of());
    // When
    StageOutcome outcome = stage.apply(copy);
    // Then
    assertEquals(new StageOutcome.Withhold(WithholdReason.POLICY_ERROR), outcome);
  }

  @Test
  void anyFailureWithholdsWithPolicyError() {
    // Given a policy lookup that breaks, and an alert sink that breaks
    CopyStage broken =
        Fixtures.redactAndGuard(
            t -> {
              throw new IllegalStateException("boom");
            },
            alerts::add);
    CopyStage deafAlerts =
        Fixtures.redactAndGuard(
            t -> DataCategory.known(),
            a -> {
              throw new IllegalStateException("down");
            });
    // When / Then
    assertEquals(
        new StageOutcome.Withhold(WithholdReason.POLICY_ERROR),
        broken.apply(Fixtures.copyFor(riskDisclosure(), "mash")));
    assertEquals(
        new StageOutcome.Withhold(WithholdReason.POLICY_ERROR),
        deafAlerts.apply(Fixtures.copyFor(riskDisclosure(), Fixtures.PROGRAMME)));
  }

  @Test
  void agencyTypeThePolicyDoesNotNameIsWithheldNotSentAnEmptyCopy() {
    // Given a recipient whose agency type has no entry in the policy
    Copy copy = Fixtures.copyFor(riskDisclosure(), "police");
    // When
    StageOutcome outcome = stage.apply(copy);
    // Then
    assertEquals(new StageOutcome.Withhold(WithholdReason.POLICY_ERROR), outcome);
  }

  @Test
  void removedCategoriesOfEarlierStagesAreKept() {
    // Given
    Copy in =
        Fixtures.copyFor(riskDisclosure(), "partner-support")
            .withView(riskDisclosure(), List.of("attendance"));
    // When
    Copy copy = passed(stage.apply(in));
    // Then
    assertEquals(List.of("attendance", "child-location", "health"), copy.removedCategories());
  }

  @Test
  void theCopysOwnViewIsNotChanged() {
    // Given
    JsonNode message = riskDisclosure();
    ObjectNode view = (ObjectNode) message.deepCopy();
    // When
    stage.apply(Fixtures.copyFor(view, Fixtures.PROGRAMME));
    // Then
    assertEquals(message, view);
  }
}
