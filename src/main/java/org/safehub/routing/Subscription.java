package org.safehub.routing;

import java.util.Set;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.Priority;

/**
 * A standing subscription: an agency receives messages of these types, in these areas, at these
 * priorities.
 */
public record Subscription(
    String agency, Set<String> types, Set<String> areas, Set<Priority> priorities) {
  public Subscription {
    types = Set.copyOf(types);
    areas = Set.copyOf(areas);
    priorities = Set.copyOf(priorities);
  }

  public boolean matches(Envelope e) {
    return types.contains(e.type())
        && areas.contains(e.area())
        && priorities.contains(e.priority());
  }
}
