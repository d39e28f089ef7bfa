package org.safehub.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.safehub.config.SafehubConfig;

/**
 * The hub's two long-lived durable producers, one per job, named for this instance. Kafka's
 * producer is a library object, so it is produced here; each is closed (waiting up to 5 s for sends
 * in flight) when the hub stops.
 */
@Singleton
public class HubProducers {

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  @Produces
  @Singleton
  @Identifier(KafkaClients.INGRESS_PRODUCER)
  KafkaProducer<String, byte[]> ingress(KafkaClients kafka, SafehubConfig config) {
    return kafka.durableProducer(
        "safehub-ingress-" + config.instanceId(), config.ingress().produceTimeoutMs());
  }

  @Produces
  @Singleton
  @Identifier(KafkaClients.AUDIT_PRODUCER)
  KafkaProducer<String, byte[]> audit(KafkaClients kafka, SafehubConfig config) {
    return kafka.durableProducer(
        "safehub-audit-" + config.instanceId(), config.ingress().produceTimeoutMs());
  }

  void closeIngress(
      @Disposes @Identifier(KafkaClients.INGRESS_PRODUCER) KafkaProducer<String, byte[]> producer) {
    producer.close(CLOSE_WAIT);
  }

  void closeAudit(
      @Disposes @Identifier(KafkaClients.AUDIT_PRODUCER) KafkaProducer<String, byte[]> producer) {
    producer.close(CLOSE_WAIT);
  }
}
