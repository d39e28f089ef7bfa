package org.safehub.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How many requests the hub takes from one caller, and how many of their refusals it audits one by
 * one.
 */
@ConfigMapping(prefix = "safehub.limits")
public interface LimitsConfig {

  /** Authenticated callers, counted per agency (the token's {@code agency} claim). */
  Rate agency();

  /**
   * Requests without a valid token, counted per source address (turn on proxy address forwarding
   * behind a proxy).
   */
  Unauthenticated unauthenticated();

  /**
   * Refusals audited one by one per caller (source address or agency) and window; the rest are
   * counted in one aggregated event.
   */
  @WithDefault("200")
  int auditPerCallerPerWindow();

  /** Refusals audited one by one per window across all callers whose refusals are thinned. */
  @WithDefault("2000")
  int auditOverallPerWindow();

  /**
   * The window of the audit thinning; an aggregated event is written once its window has closed.
   */
  @WithDefault("PT1M")
  Duration auditWindow();

  /**
   * Most callers tracked at once in each table (buckets, audit counts): bounds the memory a flood
   * can take.
   */
  @WithDefault("100000")
  int maxTrackedCallers();

  /**
   * Live streams one agency may hold open at once on one hub instance; one more is refused with
   * {@code 429 too-many-streams}. Every stream records each copy it hands over (an audit event and
   * a notice to the sender) and holds a buffer while it catches up, so without a bound a stolen
   * client could multiply the hub's work and memory per copy by opening streams it never reads.
   */
  @WithDefault("16")
  int streamsPerAgency();

  /** A token bucket: a steady rate and a burst above it. */
  interface Rate {
    /** Requests per second, sustained. */
    @WithDefault("2000")
    int perSecond();

    /** Requests that may come at once after a quiet spell. */
    @WithDefault("4000")
    int burst();
  }

  /**
   * The per-source bucket for requests without a valid token; much smaller, since no legitimate
   * caller needs many.
   */
  interface Unauthenticated {
    /** Requests without a valid token per second and source address, sustained. */
    @WithDefault("20")
    int perSecond();

    /** Requests without a valid token that one source may send at once. */
    @WithDefault("200")
    int burst();
  }
}
