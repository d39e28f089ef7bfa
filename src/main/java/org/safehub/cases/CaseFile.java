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

  public String status() {
    return open ? "open" : "closed";
  }
}
