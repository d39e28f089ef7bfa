package org.safehub.wiring;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.safehub.config.DemoSecrets;
import org.safehub.config.SafehubConfig;

/**
 * Fail closed on demo secrets: a production hub (not started by the dev stack, not a test or dev
 * mode) stops at start-up, before it serves a request, when any secret setting holds a demo value.
 */
@Singleton
class DemoSecretsGuard {

  private static final Logger LOG = Logger.getLogger(DemoSecretsGuard.class);

  private final SafehubConfig config;
  private final Config all;

  @Inject
  DemoSecretsGuard(SafehubConfig config, Config all) {
    this.config = config;
    this.all = all;
  }

  void check(@Observes @Priority(1) StartupEvent ev) {
    if (LaunchMode.current() != LaunchMode.NORMAL || config.devStack()) {
      return;
    }
    List<String> offending =
        DemoSecrets.offending(
            all.getPropertyNames(), name -> all.getOptionalValue(name, String.class));
    if (!offending.isEmpty()) {
      String refusal = DemoSecrets.refusal(offending);
      LOG.error(refusal);
      throw new IllegalStateException(refusal);
    }
  }
}
