package org.safehub.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.safehub.agencies.AgencyType;
import org.safehub.policy.ConsentAuthority.Verdict;

/**
 * Who may record consent for whom: the rule beside the safety guard, with no setting to change it.
 */
class ConsentAuthorityTest {

  private static final String PROGRAMME = "perpetrator-programme";

  @Test
  void aProgrammeNeverRecordsAVictimsOrAChildsConsentWhicheverSideNamesTheRole() {
    for (String role : new String[] {"victim", "child"}) {
      assertEquals(
          Verdict.NOT_PERMITTED,
          ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), role, null),
          role);
      assertEquals(
          Verdict.NOT_PERMITTED,
          ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), role, role),
          role);
      assertEquals(
          Verdict.NOT_PERMITTED,
          ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), "perpetrator", role),
          "re-labelled " + role);
      assertEquals(
          Verdict.NOT_PERMITTED,
          ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), null, role),
          "unlisted " + role);
    }
  }

  @Test
  void aProgrammeMayRecordItsClientsConsent() {
    assertEquals(
        Verdict.PERMITTED,
        ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), "perpetrator", null));
    assertEquals(
        Verdict.PERMITTED,
        ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), "perpetrator", "perpetrator"));
  }

  @Test
  void anUnlistedSubjectOrAnotherRoleThanTheRegistrysIsAMismatch() {
    assertEquals(
        Verdict.SUBJECT_MISMATCH,
        ConsentAuthority.mayRecord(AgencyType.of("partner-support"), null, null));
    assertEquals(
        Verdict.SUBJECT_MISMATCH,
        ConsentAuthority.mayRecord(AgencyType.of("partner-support"), "child", "victim"));
    assertEquals(
        Verdict.SUBJECT_MISMATCH, ConsentAuthority.mayRecord(AgencyType.of(PROGRAMME), null, null));
    assertEquals(
        Verdict.PERMITTED,
        ConsentAuthority.mayRecord(AgencyType.of("partner-support"), "victim", "victim"));
    assertEquals(
        Verdict.PERMITTED,
        ConsentAuthority.mayRecord(AgencyType.of("childrens-services"), "child", null));
  }

  @Test
  void onlyAProgrammeIsDeniedWithholdReasons() {
    assertFalse(ConsentAuthority.maySeeWithholdReasons(AgencyType.of(PROGRAMME)));
    assertTrue(ConsentAuthority.maySeeWithholdReasons(AgencyType.of("partner-support")));
    assertTrue(ConsentAuthority.maySeeWithholdReasons(AgencyType.of("marac")));
  }
}
