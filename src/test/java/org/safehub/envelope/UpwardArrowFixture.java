package org.safehub.envelope;

import org.safehub.api.Problems;

/**
 * For ArchitectureTest only: a ground-floor class that depends on the top floor, which the layer
 * rule must refuse.
 */
public final class UpwardArrowFixture {
  Class<?> reachUp() {
    return Problems.class;
  }
}
