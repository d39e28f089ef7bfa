package org.safehub.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.DeployConfigException;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.LegalBasis;
import org.safehub.envelope.Priority;

class RoutingPolicyTest {

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

  @TempDir Path dir;

  private Path copyDeploy() throws IOException {
    Files.copy(DEPLOY.resolve("agencies.yaml"), dir.resolve("agencies.yaml"));
    Files.copy(DEPLOY.resolve("routing.yaml"), dir.resolve("routing.yaml"));
    return dir;
  }

  @Test
  void shippedConfigurationLoads() {
    AgencyDirectory agencies = AgencyDirectory.load(DEPLOY);
    RoutingPolicy policy = RoutingPolicy.load(DEPLOY, agencies, TYPES);
    assertEquals(10, agencies.all().size()); // five in each demo area, E08000026 and E08000025
    assertTrue(policy.maySend(AgencyType.of("childrens-services"), "referral"));
  }

  @Test
  void perpetratorProgrammeCannotSendMaracActions() {
    RoutingPolicy policy = RoutingPolicy.load(DEPLOY, AgencyDirectory.load(DEPLOY), TYPES);
    assertTrue(!policy.maySend(AgencyType.of("perpetrator-programme"), "marac-action"));
    assertTrue(policy.maySend(AgencyType.of("marac"), "marac-action"));
  }

  @Test
  void unknownAgencyTypeInRoutingStopsStartupNamingFileAndPlace() throws IOException {
    Path d = copyDeploy();
    Files.writeString(
        d.resolve("routing.yaml"),
        Files.readString(d.resolve("routing.yaml"))
            .replaceFirst("senders: \\[childrens-services", "senders: [police"));
    DeployConfigException e =
        assertThrows(
            DeployConfigException.class,
            () -> RoutingPolicy.load(d, AgencyDirectory.load(d), TYPES));
    assertTrue(e.getMessage().contains("routing.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("/messageTypes/referral/senders"), e.getMessage());
  }

  @Test
  void typeWithSchemaButNoRoutingEntryStopsStartup() throws IOException {
    Path d = copyDeploy();
    Set<String> more = new java.util.HashSet<>(TYPES);
    more.add("school-notification");
    DeployConfigException e =
        assertThrows(
            DeployConfigException.class,
            () -> RoutingPolicy.load(d, AgencyDirectory.load(d), more));
    assertTrue(e.getMessage().contains("school-notification"), e.getMessage());
  }

  @Test
  void subscriptionToATypeTheAgencyMayNotReceiveStopsStartup() throws IOException {
    Path d = copyDeploy();
    Files.writeString(
        d.resolve("routing.yaml"),
        Files.readString(d.resolve("routing.yaml"))
            .replace(
                "types: [referral, partner-contact-summary, risk-disclosure]",
                "types: [referral, child-protection-alert]"));
    DeployConfigException e =
        assertThrows(
            DeployConfigException.class,
            () -> RoutingPolicy.load(d, AgencyDirectory.load(d), TYPES));
    assertTrue(e.getMessage().contains("may not receive"), e.getMessage());
  }

  @Test
  void schemaInvalidAgencyFileStopsStartupWithPointer() throws IOException {
    Path d = copyDeploy();
    Files.writeString(
        d.resolve("agencies.yaml"),
        Files.readString(d.resolve("agencies.yaml"))
            .replace("status: active", "status: sometimes"));
    DeployConfigException e =
        assertThrows(DeployConfigException.class, () -> AgencyDirectory.load(d));
    assertTrue(e.getMessage().contains("agencies.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("/agencies/0/status"), e.getMessage());
  }

  @Test
  void newAgencyTypeIsAddedByConfigurationAlone() throws IOException {
    Path d = copyDeploy();
    Files.writeString(
        d.resolve("agencies.yaml"),
        Files.readString(d.resolve("agencies.yaml"))
                .replace("  - marac\n", "  - marac\n  - police\n")
            + "  - id: demo-police\n    name: Demo Police\n    type: police\n    areas: [E08000026]\n");
    Files.writeString(
        d.resolve("routing.yaml"),
        Files.readString(d.resolve("routing.yaml"))
            .replace(
                "  child-protection-alert:\n    senders: [perpetrator-programme",
                "  child-protection-alert:\n    senders: [police, perpetrator-programme")
            .replace(
                "receivers: [childrens-services, mash, marac]",
                "receivers: [childrens-services, mash, marac, police]"));
    AgencyDirectory agencies = AgencyDirectory.load(d);
    Router router = new Router(agencies, RoutingPolicy.load(d, agencies, TYPES));
    Envelope e =
        new Envelope(
            UUID.randomUUID(),
            "child-protection-alert",
            1,
            "CASE-1",
            "E08000026",
            Instant.now(),
            Priority.ROUTINE,
            List.of("demo-police"),
            LegalBasis.SAFEGUARDING_CHILD,
            List.of());
    List<RecipientOutcome> out = router.route(e, "demo-iss");
    assertTrue(
        out.stream()
            .anyMatch(
                o ->
                    o instanceof RecipientOutcome.Deliver dd
                        && dd.agencyId().equals("demo-police")),
        out.toString());
  }
}
