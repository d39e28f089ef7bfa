package org.safehub.consent;

import java.util.Set;
import org.safehub.agencies.AgencyType;

/** A subject's current consent: granted with a scope, or withdrawn. */
public record ConsentRecord(
    String subjectRef, boolean granted, Set<AgencyType> agencyTypes, Set<String> messageTypes) {
  public ConsentRecord {
    agencyTypes = Set.copyOf(agencyTypes);
    messageTypes = Set.copyOf(messageTypes);
  }

  /**
   * Whether this consent lets a message of {@code messageType} go to an agency of {@code
   * agencyType}.
   */
  public boolean covers(AgencyType agencyType, String messageType) {
    return granted
        && agencyTypes.contains(agencyType)
        && (messageTypes.isEmpty() || messageTypes.contains(messageType));
  }
}
