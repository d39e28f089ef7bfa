package org.safehub.cases;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A case as the hub holds it: no personal data, agency ids and codes only. */
public record CaseFile(
    String caseRef,
    String area,
    boolean open,
    Map<String, CaseRole> members,
    Instant openedAt,
    Instant updatedAt) {
  public CaseFile {
    Objects.requireNonNull(caseRef, "caseRef");
    Objects.requireNonNull(area, "area");
    members = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  public Optional<CaseRole> roleOf(String agency) {
    return Optional.ofNullable(members.get(agency));
  }

  public boolean isMember(String agency) {
    return members.containsKey(agency);
  }

  /**
   * The case as {@code agency} sees it when it sends a message on it: only a member sees it. To any
   * other agency, of whatever type, the case does not exist (ADR 0011): its message routes as if
   * there were none, is not refused on a closed case, neither opens nor reopens the case, and
   * counts for none of the case's rules.
   */
  public static Optional<CaseFile> seenBy(Optional<CaseFile> found, String agency) {
    return found.filter(f -> f.isMember(agency));
  }

  /** Whether {@code agency} may reopen the case: a member in any role but {@code programme}. */
  public boolean mayReopen(String agency) {
    CaseRole role = members.get(agency);
    return role != null && role != CaseRole.PROGRAMME;
  }

  public String status() {
    return open ? "open" : "closed";
  }
}
