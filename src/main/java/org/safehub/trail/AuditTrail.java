package org.safehub.trail;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;

/**
 * Where the hub records its decisions: the tamper-evident audit log in PostgreSQL (written before
 * the decision takes effect) and, for a SIEM, the audit Kafka topic. Events carry no message
 * content.
 */
@Singleton
public final class AuditTrail {

  private static final Logger LOG = Logger.getLogger(AuditTrail.class);

  private final AuditLog log;
  private final Producer<String, byte[]> producer;
  private final Topics topics;

  @Inject
  public AuditTrail(
      AuditLog log,
      @Identifier(KafkaClients.AUDIT_PRODUCER) Producer<String, byte[]> producer,
      Topics topics) {
    this.log = log;
    this.producer = producer;
    this.topics = topics;
  }

  public AuditLog log() {
    return log;
  }

  /**
   * Appends in a transaction of its own, then forwards to the audit topic. Throws if the log cannot
   * be written.
   */
  public List<AuditEvent> record(List<AuditEvent> events) {
    List<AuditEvent> stored = log.append(events);
    forward(stored);
    return stored;
  }

  /** Records, but never lets a failure to audit a refusal turn the refusal into an error. */
  public void recordQuietly(AuditEvent event) {
    try {
      record(List.of(event));
    } catch (RuntimeException e) {
      LOG.errorf(
          "audit event %s could not be recorded (%s%s)",
          event.action().wire(),
          e.getClass().getSimpleName(),
          e.getCause() == null ? "" : ", caused by " + e.getCause().getClass().getSimpleName());
    }
  }

  /**
   * Takes a decision and records its audit events in the same PostgreSQL transaction (both commit
   * or neither does), then forwards the events; returns the decision's result. Throws if the events
   * cannot be recorded, in which case the decision did not happen.
   */
  public <T> T decide(AuditLog.Decision<T> decision) {
    AuditLog.Decided<T> d = log.decide(decision);
    forward(d.events());
    return d.result();
  }

  /** Appends inside the caller's transaction; the caller forwards the result after it commits. */
  public List<AuditEvent> recordIn(Connection c, List<AuditEvent> events) throws SQLException {
    return log.appendInTransaction(c, events);
  }

  /**
   * The audit-topic records for stored events (for a caller that sends them in its own Kafka
   * transaction). The written justification of a share without consent is free text, which may name
   * people: it stays in the audit log (auditors list it through the API) and never goes to a topic.
   */
  public List<ProducerRecord<String, byte[]>> records(List<AuditEvent> stored) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>(stored.size());
    for (AuditEvent e : stored) {
      AuditEvent feed = e.justification() == null ? e : e.withJustification(null, e.detail());
      out.add(
          new ProducerRecord<>(
              topics.audit(),
              Long.toString(e.seq()),
              feed.toJson().getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** Sends stored events to the audit topic (best effort: the PostgreSQL log is the record). */
  public void forward(List<AuditEvent> stored) {
    for (ProducerRecord<String, byte[]> r : records(stored)) {
      // the callback logs a failure; nothing waits for the send (best effort)
      Future<RecordMetadata> unused =
          producer.send(
              r,
              (md, ex) -> {
                if (ex != null) {
                  LOG.warnf(
                      "audit event %s not forwarded to the audit topic (%s)",
                      r.key(), ex.getClass().getSimpleName());
                }
              });
    }
  }
}
