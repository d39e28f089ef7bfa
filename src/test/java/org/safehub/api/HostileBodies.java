package org.safehub.api;

import java.util.List;
import java.util.Map;

/**
 * The publish bodies of the hostile-input corpus ({@link HostileInputIT}), for tools outside this
 * package.
 */
public final class HostileBodies {

  private HostileBodies() {}

  /**
   * Every publish body of the corpus with the corpus's label, built without a hub (deterministic:
   * the corpus is seeded).
   */
  public static List<Map.Entry<String, byte[]>> publishBodies() {
    return new HostileInputIT().publishBodies();
  }

  /** The 64 KiB pathological email of the corpus. */
  public static String pathologicalEmail() {
    return HostileInputIT.pathologicalEmail();
  }
}
