package org.safehub.policy;

import java.util.Set;
import org.safehub.agencies.AgencyType;

/**
 * Who may record consent for whom, and who may learn a subject's consent, in code beside the {@link
 * SafetyGuard} and like it not configurable: consent belongs to the person, and is recorded by
 * those who work with them. A perpetrator programme works with the perpetrator; it never records
 * (nor withdraws, nor learns) the consent of a victim or a child.
 */
public final class ConsentAuthority {

  /** The roles whose consent a perpetrator programme may neither record nor learn. */
  public static final Set<String> GUARDED_ROLES = Set.of("victim", "child");

  private ConsentAuthority() {}

  /** What the hub does with a consent change. */
  public enum Verdict {
    /** The sender may record it. */
    PERMITTED,
    /**
     * The sender's agency may never record consent for this subject (403 consent-not-permitted).
     */
    NOT_PERMITTED,
    /**
     * The change names a subject the message does not list, or gives it another role than the
     * registry holds (409).
     */
    SUBJECT_MISMATCH
  }

  /**
   * Decides whether an agency of {@code senderType} may record a consent change about a subject.
   *
   * @param claimedRole the role the message's {@code subjects} give {@code payload.subjectRef}, or
   *     null if it lists no such subject
   * @param registeredRole the role the consent registry already holds for that subject, or null if
   *     none
   */
  public static Verdict mayRecord(
      AgencyType senderType, String claimedRole, String registeredRole) {
    // a programme is refused for a victim or child whichever side names the role, before any
    // mismatch is told
    if (SafetyGuard.PERPETRATOR_PROGRAMME.equals(senderType)
        && (guarded(claimedRole) || guarded(registeredRole))) {
      return Verdict.NOT_PERMITTED;
    }
    if (claimedRole == null) {
      return Verdict.SUBJECT_MISMATCH;
    }
    if (registeredRole != null && !registeredRole.equals(claimedRole)) {
      return Verdict.SUBJECT_MISMATCH;
    }
    return Verdict.PERMITTED;
  }

  /**
   * Whether an agency of {@code agencyType} may see why a copy of its own consent-based message was
   * withheld. A perpetrator programme may not: a reason such as no-consent or consent-withdrawn
   * about a victim would tell it her consent, and any other reason shown beside a plain
   * "not-shared" would tell it the same by difference, so every reason becomes "not-shared". On a
   * message with another lawful basis no consent reason can occur, and the precise reasons tell
   * nothing about consent.
   */
  public static boolean maySeeWithholdReasons(AgencyType agencyType) {
    return !SafetyGuard.PERPETRATOR_PROGRAMME.equals(agencyType);
  }

  /** The reason a sender that may not see reasons is shown for every withheld copy. */
  public static final String NOT_SHARED = "not-shared";

  private static boolean guarded(String role) {
    return role != null && GUARDED_ROLES.contains(role);
  }
}
