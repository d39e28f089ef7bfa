package org.safehub.pipeline;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.consent.ConsentGate;
import org.safehub.consent.ConsentRecord;
import org.safehub.copy.WithholdReason;
import org.safehub.delivery.DeliveryStatusStore;
import org.safehub.envelope.Envelope;
import org.safehub.kafka.Topics;

/**
 * The pipeline's second consent check, under the lock on the subjects' consent rows: a withdrawal
 * accepted while the batch was being sealed withholds its subject's copies (see {@link Pipeline}).
 */
final class LateConsent {

  private final Topics topics;
  private final AgencyDirectory agencies;

  LateConsent(Topics topics, AgencyDirectory agencies) {
    this.topics = topics;
    this.agencies = agencies;
  }

  /**
   * Turns each delivered copy of a consent-based message that the consent read under the lock no
   * longer allows into a withheld one: its record is not sent, its decision and audit event say
   * why.
   */
  void withholdLate(
      List<MessageRun.Result> results,
      Map<String, ConsentRecord> records,
      List<ProducerRecord<String, byte[]>> out,
      List<DeliveryStatusStore.Outcome> outcomes,
      List<AuditEvent> events,
      Instant now) {
    for (MessageRun.Result r : results) {
      Envelope e = r.inbound().envelope();
      if (r.poison() != null || !ConsentGate.relies(e)) {
        continue;
      }
      Map<String, WithholdReason> late = new HashMap<>();
      for (DeliveryStatusStore.Outcome o : r.outcomes()) {
        if (o.delivered()) {
          AgencyType type = agencies.find(o.recipient()).map(a -> a.type()).orElse(null);
          WithholdReason w = ConsentGate.decide(e, type, records);
          if (w != null) {
            late.put(o.recipient(), w);
          }
        }
      }
      if (late.isEmpty()) {
        continue;
      }
      UUID id = e.messageId();
      out.removeIf(
          pr -> id.toString().equals(pr.key()) && late.containsKey(topics.agencyOf(pr.topic())));
      outcomes.replaceAll(
          o ->
              o.messageId().equals(id) && o.delivered() && late.containsKey(o.recipient())
                  ? o.withheld(late.get(o.recipient()))
                  : o);
      events.replaceAll(
          ev ->
              ev.action() == AuditAction.DELIVERED
                      && id.equals(ev.messageId())
                      && late.containsKey(ev.recipient())
                  ? MessageRun.event(AuditAction.WITHHELD, now, r.inbound().in().sender(), e, null)
                      .recipient(ev.recipient())
                      .reason(late.get(ev.recipient()).wire())
                      .build()
                  : ev);
    }
  }
}
