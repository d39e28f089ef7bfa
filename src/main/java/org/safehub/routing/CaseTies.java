package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseLookup;
import org.safehub.cases.CaseReferrals;
import org.safehub.cases.CaseRole;
import org.safehub.cases.CasesUnavailable;
import org.safehub.cases.PartnerFirst;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;

/**
 * Case-tied delivery (issue 12), kept apart from {@link Router}: a message on an open case goes to
 * every member whose agency type may receive its type, wherever the member is; the standing
 * subscriptions of agencies of a type the case already has a member of do not apply to it; and a
 * programme's drop-out, exclusion or unexplained absence reaches the case's partner-support members
 * at no less than {@code urgent}. Closing the case, or a member leaving it, ends this at once (the
 * case is read for every message). A referral routes as the case it opens or reopens. To an agency
 * that is not a member, of whatever type, the case does not exist (nothing of it shows in its
 * status, and its messages reach no member because of the case).
 */
final class CaseTies {

  /** No case ties: routing as without cases. */
  static final Tie NONE = new Tie(Map.of(), Set.of(), false, null);

  private final CaseLookup store;
  private final AgencyDirectory agencies;

  /** With {@code store} null, no message has a case. */
  CaseTies(CaseLookup store, AgencyDirectory agencies) {
    this.store = store;
    this.agencies = agencies;
  }

  /**
   * What the case adds to a message's routing.
   *
   * @param members the case's members (agency id, role)
   * @param memberTypes the agency types of the members
   * @param raises whether the message is news its partner-support members hear at {@code urgent}
   * @param area the case's area (the rules' area), null without a case
   */
  record Tie(
      Map<String, CaseRole> members, Set<AgencyType> memberTypes, boolean raises, String area) {

    /** Whether the standing subscription of {@code agency} applies to the message. */
    boolean admitsSubscription(Agency agency) {
      return members.containsKey(agency.id()) || !memberTypes.contains(agency.type());
    }

    /** Whether {@code agency}'s copy goes at a raised priority. */
    boolean raisesFor(String agency) {
      return raises && members.get(agency) == CaseRole.PARTNER_SUPPORT;
    }
  }

  /** The cases among {@code caseRefs} that exist, read together (none without a store). */
  Map<String, CaseFile> readAll(Collection<String> caseRefs) throws SQLException {
    return store == null ? Map.of() : store.findAll(caseRefs);
  }

  /** {@link #readAll} as a read to send with others, or null ({@link CaseLookup#findAllRead}). */
  ReadsTogether.Read readAllRead(
      Collection<String> caseRefs, Consumer<Map<String, CaseFile>> into) {
    if (store == null) {
      into.accept(Map.of());
      return null;
    }
    return store.findAllRead(caseRefs, into);
  }

  /** The tie of a message; throws {@link CasesUnavailable} if the case cannot be read. */
  Tie of(Envelope envelope, JsonNode message, String sender) {
    if (store == null) {
      return NONE;
    }
    Optional<CaseFile> found;
    try {
      found = store.find(envelope.caseRef());
    } catch (SQLException e) {
      throw new CasesUnavailable(e);
    }
    return of(envelope, message, sender, found);
  }

  /** The tie of a message whose case ({@code found}) the caller has read. */
  Tie of(Envelope envelope, JsonNode message, String sender, Optional<CaseFile> found) {
    if (store == null) {
      return NONE;
    }
    Optional<Agency> from = agencies.find(sender);
    if (from.isEmpty()) {
      return NONE;
    }
    found = CaseFile.seenBy(found, sender); // to an agency that is not a member, no case exists
    Map<String, CaseRole> members;
    String area;
    boolean referral = CaseReferrals.REFERRAL.equals(envelope.type());
    if (found.isEmpty()) {
      if (!referral) {
        return NONE;
      }
      members = CaseReferrals.members(envelope, sender, agencies); // the case it opens
      area = envelope.area();
    } else if (!found.get().open() && !referral) {
      return NONE; // closed: no ties
    } else {
      members = found.get().members();
      area = found.get().area();
    }
    Set<AgencyType> types =
        members.keySet().stream()
            .map(agencies::find)
            .flatMap(Optional::stream)
            .map(Agency::type)
            .collect(Collectors.toSet());
    return new Tie(members, types, PartnerFirst.raises(envelope.type(), message), area);
  }
}
