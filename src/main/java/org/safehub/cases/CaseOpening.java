package org.safehub.cases;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a {@code referral} does to its case, applied in the transaction that accepts it: opens the
 * case with the sender and the referral's recipients as members (roles from their agency types), or
 * reopens a closed one.
 */
public record CaseOpening(
    String caseRef, String area, UUID messageId, String sender, Map<String, CaseRole> members) {
  public CaseOpening {
    Objects.requireNonNull(caseRef, "caseRef");
    Objects.requireNonNull(area, "area");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(sender, "sender");
    members = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }
}
