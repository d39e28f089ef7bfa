package org.safehub.wiring;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The hub's clock for acknowledgement deadlines (whether a copy is overdue, an acknowledgement
 * late): the system's UTC clock, a bean so that a test can replace it with one it moves by hand.
 */
@Singleton
public class Clocks {

  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
