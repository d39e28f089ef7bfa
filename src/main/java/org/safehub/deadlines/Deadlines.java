package org.safehub.deadlines;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.safehub.config.ConfigFiles;
import org.safehub.config.SafehubConfig;

/**
 * Loads {@code deadlines.yaml} from the hub's configuration folder ({@code safehub.config-dir},
 * like agencies.yaml and routing.yaml) at start-up, so that an invalid file stops the hub naming
 * the file and the fault.
 */
@ApplicationScoped
public class Deadlines {

  private static final Logger LOG = Logger.getLogger(Deadlines.class);

  private final Path configDir;
  private volatile DeadlinePolicy policy;

  @Inject
  public Deadlines(SafehubConfig config) {
    this.configDir = config.configDir();
  }

  void onStart(@Observes StartupEvent ev) {
    policy();
  }

  /** The checked policy (loaded on first use, which is start-up). */
  public DeadlinePolicy policy() {
    DeadlinePolicy p = policy;
    if (p == null) {
      synchronized (this) {
        if (policy == null) {
          policy = loadChecked(configDir);
          LOG.infof(
              "acknowledgement deadlines loaded from %s (%d overrides; escalated to %s)",
              configDir.resolve(DeadlinePolicy.FILE),
              policy.overrides().size(),
              policy.escalation().to());
          warnIfNotCovered(policy.calendar(), Instant.now());
        }
        p = policy;
      }
    }
    return p;
  }

  /**
   * Loads the policy and checks the message and agency types it names against routing.yaml and
   * agencies.yaml (read as files, so this package depends on nothing above config).
   */
  static DeadlinePolicy loadChecked(Path configDir) {
    DeadlinePolicy p = DeadlinePolicy.load(configDir);
    JsonNode agencies = ConfigFiles.read(configDir.resolve("agencies.yaml"), "agencies");
    JsonNode routing = ConfigFiles.read(configDir.resolve("routing.yaml"), "routing");
    List<String> agencyTypes = new ArrayList<>();
    agencies.path("agencyTypes").forEach(t -> agencyTypes.add(t.asText()));
    Set<String> messageTypes = new HashSet<>();
    routing.path("messageTypes").fieldNames().forEachRemaining(messageTypes::add);
    p.requireKnown(messageTypes, agencyTypes);
    return p;
  }

  private static void warnIfNotCovered(WorkingCalendar calendar, Instant now) {
    int year = now.atZone(calendar.zone()).getYear();
    for (int y = year; y <= year + 1; y++) {
      if (!calendar.covers(y)) {
        // deadlines still come, counting weekends only: earlier than they should be, never later
        LOG.warnf(
            "the bank-holiday calendar named in %s does not cover %d: add that year's holidays",
            DeadlinePolicy.FILE, y);
      }
    }
  }
}
