package org.safehub.cases;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.envelope.Envelope;
import org.safehub.problem.HubProblem;

/**
 * What a message does to its case when it is published: a member's message on a closed case is
 * refused ({@code 409 case-closed}) except a {@code referral} from a member that may reopen it,
 * which reopens it; a referral whose caseRef the hub does not know opens the case. To an agency
 * that is not a member the case does not exist ({@link CaseFile#seenBy}). The opening is applied by
 * the transaction that accepts the message ({@link #apply}), so a case opens exactly when its
 * referral is accepted.
 */
@Singleton
public final class CaseReferrals {

  public static final String REFERRAL = "referral";

  private final CaseStore store;
  private final CaseReads reads;
  private final AgencyDirectory agencies;

  @Inject
  public CaseReferrals(CaseStore store, CaseReads reads, AgencyDirectory agencies) {
    this.store = store;
    this.reads = reads;
    this.agencies = agencies;
  }

  /**
   * Checks a message about to be accepted against its case; returns the opening a referral makes,
   * or null. Only a member sees the case ({@link CaseFile#seenBy}): a non-member is never refused
   * for a closed case (that would show the case exists), and its referral opens nothing when the
   * caseRef is taken (routed as the case it would have opened, so it learns nothing either). A
   * closed case is reopened by a referral only from a member that may reopen it. {@code found} is
   * the case as {@link #find} has just read it: admission reads it once, for this check and for
   * routing.
   */
  public CaseOpening onPublish(Envelope envelope, Agency sender, Optional<CaseFile> found) {
    boolean referral = REFERRAL.equals(envelope.type());
    Optional<CaseFile> seen = CaseFile.seenBy(found, sender.id());
    if (seen.isPresent()
        && !seen.get().open()
        && !(referral && seen.get().mayReopen(sender.id()))) {
      throw HubProblem.of(
          409,
          "case-closed",
          "Conflict",
          "The case is closed; only a referral from a member that may reopen it reopens it.");
    }
    if (!referral || seen.map(CaseFile::open).orElse(false)) {
      return null;
    }
    if (found.isPresent() && seen.isEmpty()) {
      return null; // another agency's case: not opened, not joined, not reopened
    }
    return new CaseOpening(
        envelope.caseRef(),
        envelope.area(),
        envelope.messageId(),
        sender.id(),
        members(envelope, sender.id(), agencies));
  }

  /**
   * The case of {@code caseRef}, read now, with the other single publishes' reads in flight ({@link
   * CaseReads}); a 503 problem if the case store cannot be read.
   */
  public Optional<CaseFile> find(String caseRef) {
    try {
      return reads.find(caseRef);
    } catch (SQLException e) {
      throw Cases.unavailable();
    }
  }

  /**
   * The cases among {@code caseRefs} that exist, read now in one statement, by caseRef; a 503
   * problem if the case store cannot be read.
   */
  public Map<String, CaseFile> findAll(Collection<String> caseRefs) {
    try {
      return store.findAll(caseRefs);
    } catch (SQLException e) {
      throw Cases.unavailable();
    }
  }

  /**
   * The members a referral opens its case with: the sender and its recipients, each in the role of
   * its agency type.
   */
  public static Map<String, CaseRole> members(
      Envelope envelope, String sender, AgencyDirectory agencies) {
    Map<String, CaseRole> members = new LinkedHashMap<>();
    for (String id : envelope.recipients()) {
      agencies.find(id).ifPresent(a -> members.put(a.id(), CaseRole.forType(a.type())));
    }
    agencies.find(sender).ifPresent(a -> members.put(a.id(), CaseRole.forType(a.type())));
    return members;
  }

  /**
   * Opens (or reopens) the case inside the accepting transaction; returns the audit events to
   * record with it. A case opened meanwhile by another referral is left as it is, and a closed case
   * is reopened only if the sender, read under the case's lock, is a member that may reopen it.
   */
  public List<AuditEvent> apply(Connection c, CaseOpening o) throws SQLException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Optional<CaseFile> found = store.find(c, o.caseRef(), true);
    List<AuditEvent> events = new ArrayList<>();
    if (found.isEmpty()) {
      CaseFile file = new CaseFile(o.caseRef(), o.area(), true, o.members(), now, now);
      if (!store.insert(c, file)) {
        return List.of(); // opened by a referral in another transaction since the lookup
      }
      events.add(
          event(AuditAction.CASE_OPENED, o, now)
              .detail("area", o.area())
              .detail("members", Integer.toString(o.members().size()))
              .build());
      o.members()
          .forEach(
              (agency, role) ->
                  events.add(
                      event(AuditAction.CASE_MEMBER_ADDED, o, now)
                          .recipient(agency)
                          .detail("role", role.wire())
                          .build()));
    } else if (!found.get().open() && found.get().mayReopen(o.sender())) {
      // (a case another agency opened meanwhile is not the sender's: left as it is)
      store.setOpen(c, o.caseRef(), true, now);
      events.add(event(AuditAction.CASE_REOPENED, o, now).build());
    }
    return events;
  }

  private static AuditEvent.Builder event(AuditAction action, CaseOpening o, Instant now) {
    return AuditEvent.builder(action, now)
        .actor(o.sender(), null)
        .message(o.messageId(), REFERRAL, o.caseRef());
  }
}
