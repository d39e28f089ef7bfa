package org.safehub.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.cases.CaseRole;
import org.safehub.copy.Notice;
import org.safehub.copy.WithholdReason;
import org.safehub.crypto.CopySealer;
import org.safehub.db.Transactions;
import org.safehub.kafka.Headers;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;
import org.safehub.keys.AgencyKeyDirectory;
import org.safehub.routing.Via;
import org.safehub.sealing.SealingCopyWriter;
import org.safehub.trail.AuditTrail;
import org.safehub.validation.StrictJson;

/**
 * Records the first fetch of each copy by its recipient in the audit log and tells the owning
 * (sending) agency, as NHS CP-IS tells social care: a sealed, content-free notice in its inbox
 * saying which of its messages was fetched, by whom and when. The paged inbox and the live stream
 * both hand copies over only through here. A suspended recipient is handed nothing, and a suspended
 * owner's notice is withheld (audited, never replayed), as its copies are.
 */
@Singleton
public final class FetchRecorder {

  public static final String NOTICE_KIND = "fetch-notice";
  private static final Logger LOG = Logger.getLogger(FetchRecorder.class);

  private final DataSource ds;
  private final AuditTrail trail;
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final AgencyKeyDirectory keys;
  private final CopySealer sealer;
  private final ObjectMapper mapper;
  private final AgencyStatusStore statuses;
  private final AgencyDirectory agencies;

  /**
   * The recipient was suspended when its copies were about to be handed over: nothing was recorded
   * or handed over.
   */
  public static final class RecipientSuspended extends Exception {
    public RecipientSuspended() {
      super("recipient suspended", null, false, false);
    }
  }

  @Inject
  public FetchRecorder(
      DataSource ds,
      AuditTrail trail,
      @Identifier(KafkaClients.AUDIT_PRODUCER) KafkaProducer<String, byte[]> producer,
      Topics topics,
      AgencyKeyDirectory keys,
      CopySealer sealer,
      StrictJson json,
      AgencyStatusStore statuses,
      AgencyDirectory agencies) {
    this(ds, trail, producer, topics, keys, sealer, json.mapper(), statuses, agencies);
  }

  public FetchRecorder(
      DataSource ds,
      AuditTrail trail,
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      AgencyKeyDirectory keys,
      CopySealer sealer,
      ObjectMapper mapper,
      AgencyStatusStore statuses,
      AgencyDirectory agencies) {
    this.agencies = agencies;
    this.ds = ds;
    this.trail = trail;
    this.producer = producer;
    this.topics = topics;
    this.keys = keys;
    this.sealer = sealer;
    this.mapper = mapper;
    this.statuses = statuses;
  }

  /**
   * Whether the owner of {@code i} may not learn that {@code fetcher} fetched it: the owner is a
   * perpetrator programme and the fetcher received the copy as a member of the message's case.
   */
  private boolean hidesFetcher(PreparedStatement viaOf, InboxItem i, String fetcher)
      throws SQLException {
    boolean programme =
        agencies
            .find(i.sender())
            .map(a -> CaseRole.PROGRAMME_TYPE.equals(a.type().name()))
            .orElse(true);
    if (!programme) {
      return false;
    }
    viaOf.setObject(1, UUID.fromString(i.messageId()));
    viaOf.setString(2, fetcher);
    try (ResultSet rs = viaOf.executeQuery()) {
      return rs.next() && Via.CASE.wire().equals(rs.getString(1));
    }
  }

  /**
   * Records the copies of {@code items} that {@code recipient} fetched for the first time, and
   * notifies their owners; call it before handing the copies over. Throws {@link
   * RecipientSuspended} (recording nothing) if the recipient is suspended, read in the same
   * transaction as the fetch records.
   */
  public void fetched(String recipient, String client, List<InboxItem> items) throws Exception {
    List<InboxItem> firsts = new ArrayList<>();
    Instant now = Instant.now();
    List<AuditEvent> stored =
        Transactions.inTransaction(
            ds,
            c -> {
              try (PreparedStatement ps =
                      c.prepareStatement(
                          "insert into fetch_log (message_id, recipient, fetched_at) values (?, ?, ?) on conflict do nothing");
                  PreparedStatement viaOf =
                      c.prepareStatement(
                          "select via from delivery where message_id = ? and recipient = ?")) {
                Set<String> suspended = statuses.suspended(c);
                if (suspended.contains(recipient)) {
                  throw new RecipientSuspended(); // rolled back: nothing recorded
                }
                List<AuditEvent> events = new ArrayList<>();
                for (InboxItem i : items) {
                  if (i.messageId() == null || "safehub".equals(i.sender())) {
                    continue; // the hub's own notices are not owned by an agency
                  }
                  ps.setObject(1, UUID.fromString(i.messageId()));
                  ps.setString(2, recipient);
                  ps.setTimestamp(3, Timestamp.from(now));
                  if (ps.executeUpdate() == 1) {
                    events.add(
                        AuditEvent.builder(AuditAction.FETCHED, now)
                            .actor(recipient, client)
                            .message(UUID.fromString(i.messageId()), i.type(), null)
                            .detail("owner", i.sender())
                            .build());
                    if (hidesFetcher(viaOf, i, recipient)) {
                      // a programme never learns who on the case fetched its message (who supports
                      // the victim, and where): its status does not show them either
                      events.add(
                          AuditEvent.builder(AuditAction.WITHHELD, now)
                              .message(UUID.fromString(i.messageId()), i.type(), null)
                              .recipient(i.sender())
                              .reason(WithholdReason.NOT_PERMITTED_TO_RECEIVE.wire())
                              .detail("notice", NOTICE_KIND)
                              .build());
                    } else if (suspended.contains(i.sender())) {
                      // withheld like any copy to a suspended agency, and not replayed on
                      // reinstatement
                      events.add(
                          AuditEvent.builder(AuditAction.WITHHELD, now)
                              .message(UUID.fromString(i.messageId()), i.type(), null)
                              .recipient(i.sender())
                              .reason(WithholdReason.AGENCY_SUSPENDED.wire())
                              .detail("notice", NOTICE_KIND)
                              .build());
                    } else {
                      firsts.add(i);
                    }
                  }
                }
                return trail.recordIn(c, events);
              }
            });
    trail.forward(stored);
    if (firsts.isEmpty()) {
      return;
    }
    SealingCopyWriter writer = new SealingCopyWriter(keys, sealer, mapper);
    writer.beginBatch();
    for (InboxItem i : firsts) {
      ObjectNode n = mapper.createObjectNode();
      n.put("notice", "fetched");
      n.put("messageId", i.messageId());
      n.put("type", i.type());
      n.put("fetchedBy", recipient);
      n.put("fetchedAt", now.toString());
      try {
        byte[] sealed = writer.writeNotice(new Notice(i.sender(), NOTICE_KIND, n));
        // best effort, like the catch below: the fetch is already in the audit log, and a notice
        // lost in sending is not retried, so the send's outcome is deliberately not awaited
        Future<RecordMetadata> unused =
            producer.send(
                new ProducerRecord<>(
                    topics.delivery(i.sender()),
                    null,
                    i.messageId(),
                    sealed,
                    Headers.of(
                        Headers.MESSAGE_ID,
                        i.messageId(),
                        Headers.TYPE,
                        NOTICE_KIND,
                        Headers.SENDER,
                        "safehub",
                        Headers.RECIPIENT,
                        i.sender(),
                        Headers.FORMAT,
                        writer.format())));
      } catch (Exception e) {
        LOG.warnf("fetch notice for %s not sent (%s)", i.sender(), e.getClass().getSimpleName());
      }
    }
  }
}
