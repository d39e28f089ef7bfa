package org.safehub.agencies;

import java.util.Objects;
import java.util.Set;

/**
 * A registered organisation: id (slug), display name, agency type, the areas it works in, its
 * status.
 */
public record Agency(
    String id, String name, AgencyType type, Set<String> areas, AgencyStatus status) {
  public Agency {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    areas = Set.copyOf(areas);
  }

  public boolean active() {
    return status == AgencyStatus.ACTIVE;
  }
}
