package org.safehub.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the hub watches acknowledgement deadlines (the deadlines themselves are data, in
 * deadlines.yaml).
 */
@ConfigMapping(prefix = "safehub.deadlines")
public interface DeadlineSettings {

  /**
   * How often each instance looks for missed deadlines (a Quarkus scheduler interval: {@code 5s},
   * {@code 1m}; {@code off} stops this instance escalating, another instance still does). A copy is
   * escalated at most this long after its deadline.
   */
  @WithDefault("5s")
  String pollEvery();

  /** The most copies one look escalates; more wait for the next look. */
  @WithDefault("100")
  int maxPerPoll();

  /** How far back the response-time metrics look (by deadline). */
  @WithDefault("P30D")
  Duration metricsWindow();

  /** How often the response-time metrics are read from the database. */
  @WithDefault("60s")
  String metricsEvery();
}
