package org.safehub.kafka;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Objects;
import org.safehub.config.SafehubConfig;

/** Names of the hub's topics. Each agency has its own delivery topic holding only its copies. */
@Singleton
public record Topics(String prefix) {
  public Topics {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** The topics named with {@code safehub.kafka.topic-prefix}. */
  @Inject
  public Topics(SafehubConfig config) {
    this(config.kafka().topicPrefix());
  }

  public String inbound() {
    return prefix + "inbound";
  }

  public String deadLetter() {
    return prefix + "dead-letter";
  }

  public String audit() {
    return prefix + "audit";
  }

  /**
   * The escalation relay's marker topic (hub-only, one partition, compacted): the highest outbox
   * seq sent, written in the Kafka transaction that sends the notices.
   */
  public String escalationRelay() {
    return prefix + "escalation-relay";
  }

  public String delivery(String agencyId) {
    return prefix + "delivery." + agencyId;
  }

  /** The agency id of a delivery topic, or null if {@code topic} is not one. */
  public String agencyOf(String topic) {
    String p = prefix + "delivery.";
    return topic.startsWith(p) ? topic.substring(p.length()) : null;
  }
}
