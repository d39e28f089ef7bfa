package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.DeployConfigException;

class SharingPolicyTest {

  @TempDir Path dir;

  /** The shipped deploy files in a scratch folder, with the policy's text replaced. */
  private Path deployWithPolicy(String find, String replace) throws IOException {
    Files.copy(Fixtures.DEPLOY.resolve("agencies.yaml"), dir.resolve("agencies.yaml"));
    String policy = Files.readString(Fixtures.DEPLOY.resolve(SharingPolicy.FILE));
    assertTrue(policy.contains(find), "fixture out of date: " + find);
    Files.writeString(dir.resolve(SharingPolicy.FILE), policy.replace(find, replace));
    return dir;
  }

  private DeployConfigException loadFails(Path d) {
    return assertThrows(
        DeployConfigException.class, () -> SharingPolicy.load(d, AgencyDirectory.load(d)));
  }

  @Test
  void shippedPolicyLoads() {
    // Given / When
    SharingPolicy policy = Fixtures.shippedPolicy();
    // Then
    assertEquals(
        Fixtures.AGENCY_TYPES.stream()
            .map(AgencyType::of)
            .collect(java.util.stream.Collectors.toSet()),
        policy.agencyTypes());
    for (String type : Fixtures.AGENCY_TYPES) {
      assertTrue(policy.allowed(AgencyType.of(type)).contains(DataCategory.OPERATIONAL), type);
    }
    assertEquals(
        EnumSet.of(
            DataCategory.OPERATIONAL,
            DataCategory.IDENTITY,
            DataCategory.CONTACT,
            DataCategory.CHILD_DETAIL,
            DataCategory.RISK,
            DataCategory.HEALTH,
            DataCategory.CRIMINAL_OFFENCE,
            DataCategory.ATTENDANCE),
        policy.allowed(AgencyType.of(Fixtures.PROGRAMME)));
    assertEquals(DataCategory.known(), policy.allowed(AgencyType.of("mash")));
    assertEquals(
        Set.of(),
        policy.allowed(AgencyType.of("police")),
        "a type the policy does not name gets nothing");
  }

  @Test
  void policyAllowingVictimLocationToProgrammeIsRejectedAtStartUp() throws IOException {
    // Given
    Path d =
        deployWithPolicy(
            "perpetrator-programme: [operational, identity,",
            "perpetrator-programme: [operational, identity, victim-location,");
    // When
    DeployConfigException e = loadFails(d);
    // Then the fault names the file, the pointer to the entry and what is wrong
    assertTrue(
        e.getMessage().contains(d.resolve("sharing-policy.yaml").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("/allow/perpetrator-programme/2"), e.getMessage());
    assertTrue(
        e.getMessage().contains("'victim-location' may never reach a perpetrator-programme"),
        e.getMessage());
  }

  @Test
  void policyAllowingAnyGuardedCategoryToProgrammeIsRejectedAtStartUp() throws IOException {
    for (String guarded : SchemaOracle.GUARDED) {
      // Given
      Files.deleteIfExists(dir.resolve("agencies.yaml"));
      Path d =
          deployWithPolicy(
              "perpetrator-programme: [operational,",
              "perpetrator-programme: [operational, " + guarded + ",");
      // When
      DeployConfigException e = loadFails(d);
      // Then
      assertTrue(
          e.getMessage().contains("/allow/perpetrator-programme/1: '" + guarded + "'"),
          e.getMessage());
    }
  }

  @Test
  void policyMissingAnAgencyTypeIsRejected() throws IOException {
    // Given
    Path d = deployWithPolicy("  marac: [", "  # marac: [");
    // When
    DeployConfigException e = loadFails(d);
    // Then
    assertTrue(e.getMessage().contains("sharing-policy.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("/allow: agency type 'marac' has no entry"), e.getMessage());
  }

  @Test
  void policyNamingAnUnknownAgencyTypeIsRejected() throws IOException {
    // Given
    Path d = deployWithPolicy("  mash: [", "  police: [operational]\n  mash: [");
    // When
    DeployConfigException e = loadFails(d);
    // Then
    assertTrue(
        e.getMessage().contains("/allow/police: unknown agency type 'police'"), e.getMessage());
  }

  @Test
  void policyWithoutOperationalForAnAgencyTypeIsRejected() throws IOException {
    // Given
    Path d = deployWithPolicy("marac: [operational, ", "marac: [");
    // When
    DeployConfigException e = loadFails(d);
    // Then
    assertTrue(e.getMessage().contains("sharing-policy.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("/allow/marac"), e.getMessage());
  }

  @Test
  void policyCannotAllowUntaggedOrAnUnknownCategory() throws IOException {
    // Given
    Path d = deployWithPolicy("mash: [operational,", "mash: [operational, untagged,");
    // When
    DeployConfigException e = loadFails(d);
    // Then
    assertTrue(e.getMessage().contains("/allow/mash/1"), e.getMessage());
  }

  @Test
  void policyBuiltInCodeIsCheckedLikeTheFile() {
    // Given / When / Then
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SharingPolicy.of(
                    Map.of(
                        AgencyType.of(Fixtures.PROGRAMME),
                        EnumSet.of(DataCategory.OPERATIONAL, DataCategory.FREE_TEXT))));
    assertTrue(e.getMessage().contains("/allow/perpetrator-programme"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SharingPolicy.of(Map.of(AgencyType.of("mash"), EnumSet.of(DataCategory.RISK))));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SharingPolicy.of(
                Map.of(
                    AgencyType.of("mash"),
                    EnumSet.of(DataCategory.OPERATIONAL, DataCategory.UNTAGGED))));
  }
}
