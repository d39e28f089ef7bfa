package org.safehub.delivery;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.kafka.Topics;

/**
 * Fans committed copies out to the server-sent-event streams of their recipients. Reads every
 * delivery topic (read_committed) through SmallRye Reactive Messaging; each subscriber sees only
 * the copies addressed to its own agency. An agency's open streams end when it is suspended: at
 * once on the instance that suspends it, within a second on every other instance (each re-reads the
 * suspensions).
 */
@ApplicationScoped
public class LiveCopies {

  /**
   * Copies buffered for one slow stream before it is ended (its client reconnects or pages the
   * inbox).
   */
  static final int BUFFER = 1000;

  private static final Logger LOG = Logger.getLogger(LiveCopies.class);

  private final ConcurrentMap<String, Set<MultiEmitter<? super InboxItem>>> open =
      new ConcurrentHashMap<>();

  private Topics topics;
  private InboxReader inbox;
  private AgencyStatusStore statuses;

  @Inject
  public LiveCopies(Topics topics, InboxReader inbox, AgencyStatusStore statuses) {
    this.topics = topics;
    this.inbox = inbox;
    this.statuses = statuses;
  }

  /** For the client proxy only. */
  protected LiveCopies() {}

  @Incoming("live-copies")
  public void onCopy(ConsumerRecord<String, byte[]> record) {
    String agency = topics.agencyOf(record.topic());
    Set<MultiEmitter<? super InboxItem>> streams = agency == null ? null : open.get(agency);
    if (streams == null || streams.isEmpty()) {
      return;
    }
    InboxItem item = inbox.toItem(record);
    streams.forEach(e -> e.emit(item));
  }

  /**
   * New copies for one agency, from now on, until the stream is cancelled or the agency suspended.
   */
  public Multi<InboxItem> stream(String agencyId) {
    return Multi.createFrom()
        .emitter(
            e -> {
              Set<MultiEmitter<? super InboxItem>> streams =
                  open.computeIfAbsent(agencyId, k -> ConcurrentHashMap.newKeySet());
              streams.add(e);
              e.onTermination(() -> streams.remove(e));
            },
            BUFFER);
  }

  /** Ends every open stream of {@code agencyId} on this instance; returns how many. */
  public int cut(String agencyId) {
    Set<MultiEmitter<? super InboxItem>> streams = open.get(agencyId);
    if (streams == null) {
      return 0;
    }
    int n = 0;
    for (Iterator<MultiEmitter<? super InboxItem>> it = streams.iterator(); it.hasNext(); ) {
      MultiEmitter<? super InboxItem> e = it.next();
      it.remove();
      e.complete();
      n++;
    }
    return n;
  }

  /** Open streams of {@code agencyId} on this instance. */
  public int openStreams(String agencyId) {
    Set<MultiEmitter<? super InboxItem>> streams = open.get(agencyId);
    return streams == null ? 0 : streams.size();
  }

  /** Suspensions made on another instance end this instance's streams too. */
  @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void cutSuspended() {
    if (open.values().stream().allMatch(Set::isEmpty)) {
      return;
    }
    try {
      statuses.suspended().forEach(this::cut);
    } catch (SQLException e) {
      // each copy is still checked against the suspensions before it is handed over, and refused if
      // they cannot be read
      LOG.warnf(
          "agency suspensions not re-read for the live streams this time (%s)",
          e.getClass().getSimpleName());
    }
  }
}
