package org.safehub.devstack;

import java.util.List;
import java.util.logging.Level;
import org.jboss.logmanager.LogContext;

/**
 * Turns the embedded broker's and embedded PostgreSQL's INFO chatter down to WARN, so test and
 * start-up output shows the hub's own logs. They log through SLF4J into the JBoss LogManager that
 * Quarkus brings. The broker's own clients share the {@code org.apache.kafka} category with every
 * Kafka client in this JVM, so a test's Kafka clients log at WARN too unless its Quarkus
 * configuration says otherwise.
 */
final class QuietLogs {

  private static final List<String> CATEGORIES =
      List.of(
          "kafka",
          "state.change.logger",
          "org.apache.kafka",
          "io.smallrye.reactive.messaging.kafka.companion",
          "io.zonky.test.db.postgres");

  private QuietLogs() {}

  static void toWarn() {
    try {
      LogContext context = LogContext.getLogContext();
      for (String category : CATEGORIES) {
        context.getLogger(category).setLevel(Level.WARNING);
      }
    } catch (LinkageError e) {
      // No JBoss LogManager on this class path: the broker logs as configured elsewhere.
    }
  }
}
