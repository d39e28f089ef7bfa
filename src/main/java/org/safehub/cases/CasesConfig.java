package org.safehub.cases;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of cases ({@code safehub.cases.*}). */
@ConfigMapping(prefix = "safehub.cases")
public interface CasesConfig {

  /**
   * How many consecutive unexplained absences (missed, not notified) on a case make the hub send
   * its partner-support and children's-services members one {@code attendance-concern} notice.
   */
  @WithDefault("2")
  int unexplainedAbsencesForConcern();
}
