package org.safehub.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatus;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.WithholdReason;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.LegalBasis;
import org.safehub.envelope.Priority;

class RouterTest {

  private final AgencyDirectory agencies =
      new AgencyDirectory(
          Set.of(
              AgencyType.of("perpetrator-programme"),
              AgencyType.of("partner-support"),
              AgencyType.of("mash")),
          List.of(
              new Agency(
                  "dvpp",
                  "P",
                  AgencyType.of("perpetrator-programme"),
                  Set.of("E1"),
                  AgencyStatus.ACTIVE),
              new Agency(
                  "iss", "I", AgencyType.of("partner-support"), Set.of("E1"), AgencyStatus.ACTIVE),
              new Agency(
                  "iss2",
                  "I2",
                  AgencyType.of("partner-support"),
                  Set.of("E1"),
                  AgencyStatus.SUSPENDED),
              new Agency("mash", "M", AgencyType.of("mash"), Set.of("E1"), AgencyStatus.ACTIVE)));
  private final RoutingPolicy policy =
      new RoutingPolicy(
          java.util.Map.of("attendance", Set.of(AgencyType.of("perpetrator-programme"))),
          java.util.Map.of("attendance", Set.of(AgencyType.of("partner-support"))),
          List.of(
              new Subscription(
                  "iss", Set.of("attendance"), Set.of("E1"), Set.of(Priority.values())),
              new Subscription(
                  "mash", Set.of("attendance"), Set.of("E1"), Set.of(Priority.URGENT))));
  private final Router router = new Router(agencies, policy);

  private Envelope attendance(Priority p, String area, List<String> recipients) {
    return new Envelope(
        UUID.randomUUID(),
        "attendance",
        1,
        "CASE-1",
        area,
        Instant.now(),
        p,
        recipients,
        LegalBasis.CONSENT,
        List.of());
  }

  @Test
  void standingSubscriptionMatchesTypeAreaAndPriority() {
    assertEquals(
        List.of(new RecipientOutcome.Deliver(agencies.find("iss").orElseThrow(), Via.SUBSCRIPTION)),
        router.route(attendance(Priority.ROUTINE, "E1", List.of()), "dvpp"));
    assertEquals(List.of(), router.route(attendance(Priority.ROUTINE, "E2", List.of()), "dvpp"));
  }

  @Test
  void explicitRecipientOfATypeItMayNotReceiveIsWithheldWithReason() {
    List<RecipientOutcome> out =
        router.route(attendance(Priority.URGENT, "E1", List.of("mash")), "dvpp");
    // mash subscribes to urgent attendance, but mash agencies may not receive attendance at all
    assertEquals(
        List.of(
            new RecipientOutcome.Deliver(agencies.find("iss").orElseThrow(), Via.SUBSCRIPTION),
            new RecipientOutcome.Withhold(
                "mash", WithholdReason.NOT_PERMITTED_TO_RECEIVE, Via.EXPLICIT)),
        out);
  }

  @Test
  void suspendedAgencyIsWithheldAndSenderNeverReceivesItsOwnMessage() {
    List<RecipientOutcome> out =
        router.route(attendance(Priority.ROUTINE, "E1", List.of("iss2", "dvpp")), "dvpp");
    assertEquals(
        List.of(
            new RecipientOutcome.Deliver(agencies.find("iss").orElseThrow(), Via.SUBSCRIPTION),
            new RecipientOutcome.Withhold("iss2", WithholdReason.AGENCY_SUSPENDED, Via.EXPLICIT)),
        out);
  }

  @Test
  void shippedPolicyDirectoryIsUsable() {
    AgencyDirectory real = AgencyDirectory.load(Path.of("deploy/config"));
    assertEquals(5, real.agencyTypes().size());
  }
}
