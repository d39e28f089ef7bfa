package org.safehub.delivery;

import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.kafka.KafkaClients;
import org.safehub.kafka.Topics;

/**
 * Reading over Kafka counts as a fetch. The hub reads the offsets the agencies' consumer groups
 * (the groups an agency may use are named {@code <agency>.}, see {@code KafkaAcls}) have committed
 * on their delivery topics; every copy before the highest committed offset has been read, so it is
 * recorded as fetched and its owner sent a fetch-notice, exactly as for the paged inbox ({@link
 * FetchRecorder}: once per copy and recipient, whichever instance sees it first). How far each
 * agency has been counted is kept in PostgreSQL ({@code kafka_fetch_offset}).
 */
@Singleton
public final class KafkaFetches {

  private static final Logger LOG = Logger.getLogger(KafkaFetches.class);
  private static final int BATCH = 500;
  private static final String CLIENT = "kafka-consumer";

  private final DataSource ds;
  private final AgencyDirectory agencies;
  private final InboxReader inbox;
  private final FetchRecorder fetches;
  private final KafkaClients kafka;
  private final Topics topics;
  private Admin admin;

  @Inject
  public KafkaFetches(
      DataSource ds,
      AgencyDirectory agencies,
      InboxReader inbox,
      FetchRecorder fetches,
      KafkaClients kafka,
      Topics topics) {
    this.ds = ds;
    this.agencies = agencies;
    this.inbox = inbox;
    this.fetches = fetches;
    this.kafka = kafka;
    this.topics = topics;
  }

  @Scheduled(
      every = "${safehub.kafka.fetch-scan-every:2s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void periodically() {
    try {
      scan();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warnf("Kafka reads not counted as fetches this time (%s)", e.getClass().getSimpleName());
    }
  }

  /** Counts every agency's committed Kafka reads as fetches. */
  public synchronized void scan() throws Exception {
    Map<String, Long> committed = committedOffsets();
    for (Map.Entry<String, Long> e : committed.entrySet()) {
      String agency = e.getKey();
      long upTo = e.getValue();
      long from = counted(agency);
      while (from < upTo) {
        InboxReader.Page page =
            inbox.read(agency, from == 0 ? null : from - 1, (int) Math.min(BATCH, upTo - from));
        List<InboxItem> read = new ArrayList<>();
        long next = from;
        for (InboxItem i : page.items()) {
          long offset = Long.parseLong(i.cursor());
          if (offset < upTo) {
            read.add(i);
            next = offset + 1;
          }
        }
        if (read.isEmpty()) {
          break; // nothing committed to read yet (a record past the end, or a slow read)
        }
        try {
          fetches.fetched(agency, CLIENT, read);
        } catch (FetchRecorder.RecipientSuspended s) {
          break; // counted after reinstatement; a suspended agency cannot commit meanwhile
        }
        advance(agency, next);
        from = next;
      }
    }
  }

  /**
   * The highest offset committed on each agency's delivery topic by any of its groups: one request
   * for all groups, whatever their number (an agency may create as many {@code <agency>.} groups as
   * it likes; each costs the hub no extra round trip), each asking only for its owner's delivery
   * partition.
   */
  private Map<String, Long> committedOffsets() throws Exception {
    @SuppressWarnings("deprecation") // listGroups is its successor; this one lists consumer groups
    Collection<ConsumerGroupListing> groups =
        admin().listConsumerGroups().all().get(10, TimeUnit.SECONDS);
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    Map<String, String> owners = new HashMap<>();
    for (ConsumerGroupListing g : groups) {
      Agency owner = ownerOf(g.groupId());
      if (owner == null) {
        continue;
      }
      owners.put(g.groupId(), owner.id());
      specs.put(
          g.groupId(),
          new ListConsumerGroupOffsetsSpec()
              .topicPartitions(List.of(new TopicPartition(topics.delivery(owner.id()), 0))));
    }
    Map<String, Long> out = new HashMap<>();
    if (specs.isEmpty()) {
      return out;
    }
    Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets =
        admin().listConsumerGroupOffsets(specs).all().get(10, TimeUnit.SECONDS);
    for (Map.Entry<String, Map<TopicPartition, OffsetAndMetadata>> e : offsets.entrySet()) {
      String owner = owners.get(e.getKey());
      TopicPartition tp = new TopicPartition(topics.delivery(owner), 0);
      OffsetAndMetadata o = e.getValue().get(tp);
      if (o != null) {
        out.merge(owner, o.offset(), Math::max);
      }
    }
    return out;
  }

  private Agency ownerOf(String groupId) {
    Agency owner = null;
    for (Agency a : agencies.all()) {
      // the longest matching id, should one agency's id be a prefix of another's
      if (groupId.startsWith(a.id() + ".")
          && (owner == null || a.id().length() > owner.id().length())) {
        owner = a;
      }
    }
    return owner;
  }

  private long counted(String agency) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select next_offset from kafka_fetch_offset where agency_id = ?")) {
      ps.setString(1, agency);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private void advance(String agency, long next) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into kafka_fetch_offset (agency_id, next_offset) values (?, ?) on conflict"
                    + " (agency_id) do update set next_offset = greatest(kafka_fetch_offset.next_offset,"
                    + " excluded.next_offset)")) {
      ps.setString(1, agency);
      ps.setLong(2, next);
      ps.executeUpdate();
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(kafka.adminConfig());
    }
    return admin;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
