package org.safehub.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.copy.Notice;
import org.safehub.deadlines.Escalation;
import org.safehub.delivery.DeadlineStore;
import org.safehub.policy.SafetyGuard;

/**
 * What the hub says when a copy's deadline passes unacknowledged: a {@code deadline-missed} notice
 * to the sender (once), and a {@code deadline-escalation} notice to each escalation agency of the
 * message's area (each round). Both are content-free: case, message id, type, priority, the overdue
 * agency, its deadline and how late, never anything of the message itself.
 */
final class EscalationNotices {

  /** The kind of the notice to the sender. */
  static final String MISSED = "deadline-missed";

  /** The kind of the notice to each escalation agency. */
  static final String ESCALATION = "deadline-escalation";

  private final AgencyDirectory agencies;
  private final ObjectMapper mapper;

  EscalationNotices(AgencyDirectory agencies, ObjectMapper mapper) {
    this.agencies = agencies;
    this.mapper = mapper;
  }

  /**
   * Whether the sender may not be told that this copy's recipient missed its deadline: the sender
   * is a perpetrator programme (or unknown) and the recipient got the copy as a member of the
   * message's case ({@code via: case}). A programme's status does not show such a recipient, nor
   * does a fetch-notice: who supports the victim, and where, is not a programme's to know. One the
   * programme named itself is told of as for any message, member or not (else the notice's absence
   * would tell it who is on the case).
   */
  boolean hiddenFromSender(DeadlineStore.Claimed copy) {
    return copy.caseTied()
        && agencies
            .find(copy.sender())
            .map(a -> SafetyGuard.PERPETRATOR_PROGRAMME.equals(a.type()))
            .orElse(true);
  }

  /** The sender's notice that its message's copy for the overdue agency missed its deadline. */
  Notice missed(DeadlineStore.Claimed copy, Instant now) {
    ObjectNode n = common(copy, now);
    n.put("notice", MISSED);
    return new Notice(copy.sender(), MISSED, n);
  }

  /**
   * The escalation notices of round {@code round} (0 the first), one per active agency of an
   * escalation type that works in the message's area, other than the overdue agency itself.
   */
  List<Notice> escalations(
      DeadlineStore.Claimed copy, Escalation escalation, int round, Instant now) {
    return targets(copy, escalation).stream()
        .map(
            a -> {
              ObjectNode n = common(copy, now);
              n.put("notice", ESCALATION);
              n.put("sender", copy.sender());
              n.put("round", round);
              return new Notice(a.id(), ESCALATION, n);
            })
        .toList();
  }

  private List<Agency> targets(DeadlineStore.Claimed copy, Escalation escalation) {
    return agencies.all().stream()
        .filter(a -> escalation.to().contains(a.type().name()))
        .filter(a -> a.areas().contains(copy.area()))
        .filter(Agency::active)
        .filter(a -> !a.id().equals(copy.recipient()))
        .toList();
  }

  private ObjectNode common(DeadlineStore.Claimed copy, Instant now) {
    ObjectNode n = mapper.createObjectNode();
    n.put("caseRef", copy.caseRef());
    n.put("messageId", copy.messageId().toString());
    n.put("type", copy.type());
    n.put("priority", copy.priority().wire());
    n.put("overdueAgency", copy.recipient());
    n.put("deadline", copy.deadline().toString());
    n.put("lateBy", lateBy(copy, now).toString());
    return n;
  }

  /** How late the copy is, to the second; never negative. */
  static Duration lateBy(DeadlineStore.Claimed copy, Instant now) {
    Duration d = Duration.between(copy.deadline(), now).withNanos(0);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
