package org.safehub.testsupport;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;

/**
 * In the tests the hub's deadline clock is a {@link SettableClock}, standing at the start of the
 * run unless a test moves it (and moves it back: {@link #reset}), so no test waits an hour.
 */
@Singleton
public class TestClocks {

  /** The hub's clock in every test of this run. */
  public static final SettableClock CLOCK = new SettableClock(Instant.now());

  private static final Instant START = CLOCK.now;

  /** Back to the start of the run. */
  public static void reset() {
    CLOCK.now = START;
  }

  @Produces
  @Alternative
  @Priority(1)
  @Singleton
  Clock clock() {
    return CLOCK;
  }
}
