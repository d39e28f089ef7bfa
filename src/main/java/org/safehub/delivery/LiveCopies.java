package org.safehub.delivery;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyStatusStore;
import org.safehub.kafka.Topics;

/**
 * Fans committed copies out to the server-sent-event streams of their recipients. Reads the
 * delivery topics (read_committed) through SmallRye Reactive Messaging, but only those of agencies
 * with a stream open here ({@link LivePartitions}); each subscriber sees only the copies addressed
 * to its own agency. An agency's open streams end when it is suspended: at once on the instance
 * that suspends it, within a second on every other instance (each re-reads the suspensions).
 */
@ApplicationScoped
public class LiveCopies {

  /**
   * Copies buffered for one slow stream before it is ended (its client reconnects or pages the
   * inbox).
   */
  static final int BUFFER = 1000;

  private static final Logger LOG = Logger.getLogger(LiveCopies.class);

  /** Copies read per page while a resumed stream catches up. */
  static final int CATCH_UP_PAGE = 100;

  private final ConcurrentMap<String, Set<Tap>> open = new ConcurrentHashMap<>();

  private Topics topics;
  private InboxReader inbox;
  private AgencyStatusStore statuses;
  private LivePartitions partitions;

  @Inject
  public LiveCopies(
      Topics topics,
      InboxReader inbox,
      AgencyStatusStore statuses,
      @Identifier(LivePartitions.NAME) LivePartitions partitions) {
    this.topics = topics;
    this.inbox = inbox;
    this.statuses = statuses;
    this.partitions = partitions;
    partitions.readFor(agency -> openStreams(agency) > 0);
  }

  /** For the client proxy only. */
  protected LiveCopies() {}

  @Incoming("live-copies")
  public void onCopy(ConsumerRecord<String, byte[]> record) {
    try {
      handOver(record);
    } finally {
      partitions.handedOver(record);
    }
  }

  private void handOver(ConsumerRecord<String, byte[]> record) {
    String agency = topics.agencyOf(record.topic());
    Set<Tap> streams = agency == null ? null : open.get(agency);
    if (streams == null || streams.isEmpty()) {
      return;
    }
    InboxItem item = inbox.toItem(record);
    streams.forEach(t -> t.offer(item));
  }

  /**
   * The copies of one agency committed after cursor {@code after} (read_committed, from its
   * delivery topic, in order), then its new copies as they arrive, until the stream is cancelled or
   * the agency suspended. The live copies are tapped, and the agency's delivery partition read from
   * the committed end on, before the catch-up reads its first page, so none falls between the two;
   * a copy both read and tapped is handed over once (by its cursor). {@code after == null}: the
   * copies the consumer hands over once the stream is open (the partition is read within one poll,
   * 250 ms, of the stream opening when it was paused; a consumer behind the topic may hand over
   * copies committed a little earlier). At most {@code most} streams of one agency are open at
   * once: one more fails at once with {@link TooManyStreams}.
   */
  public Multi<InboxItem> stream(String agencyId, Long after, int most) {
    return Multi.createFrom()
        .deferred(
            () -> {
              Tap tap = new Tap();
              boolean[] added = new boolean[1];
              // counted and added in one step, so streams opened together never pass the bound
              Set<Tap> taps =
                  open.compute(
                      agencyId,
                      (k, set) -> {
                        Set<Tap> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                        if (s.size() < most) {
                          added[0] = s.add(tap);
                        }
                        return s;
                      });
              if (!added[0]) {
                return Multi.createFrom().failure(new TooManyStreams());
              }
              AtomicLong last = new AtomicLong(after == null ? -1 : after);
              Multi<InboxItem> catchUp =
                  after == null ? Multi.createFrom().empty() : pages(agencyId, after, tap);
              Multi<InboxItem> live = Multi.createFrom().<InboxItem>emitter(tap::attach, BUFFER);
              return partitions
                  .read(agencyId)
                  .onItem()
                  .transformToMulti(read -> Multi.createBy().concatenating().streams(catchUp, live))
                  .select()
                  .where(item -> newer(item, last))
                  .onTermination()
                  .invoke(
                      () -> {
                        taps.remove(tap);
                        tap.end();
                      });
            });
  }

  /** The agency already has as many streams open here as it may. */
  public static final class TooManyStreams extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    TooManyStreams() {
      super("too many live streams");
    }
  }

  /** Keeps the copies after the last one handed over on this stream (by cursor). */
  private static boolean newer(InboxItem item, AtomicLong last) {
    long offset = Long.parseLong(item.cursor());
    if (offset <= last.get()) {
      return false;
    }
    last.set(offset);
    return true;
  }

  /**
   * The committed copies after {@code after}, page by page, up to the end of the delivery topic as
   * it is when the last page is read.
   */
  private Multi<InboxItem> pages(String agencyId, long after, Tap tap) {
    AtomicLong cursor = new AtomicLong(after);
    AtomicBoolean done = new AtomicBoolean();
    return Multi.createBy()
        .repeating()
        .uni(
            () ->
                Uni.createFrom()
                    .item(() -> page(agencyId, cursor, done, tap))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
        .until(List::isEmpty)
        .onItem()
        .transformToIterable(items -> items);
  }

  private List<InboxItem> page(String agencyId, AtomicLong cursor, AtomicBoolean done, Tap tap) {
    if (done.get() || tap.ended()) {
      return List.of(); // caught up, or cut (suspended) while catching up
    }
    try {
      InboxReader.Page page = inbox.read(agencyId, cursor.get(), CATCH_UP_PAGE);
      if (page.reachedEnd()) {
        done.set(true);
      } else if (page.items().isEmpty()) {
        // never skip ahead to the live copies past unread ones: the stream ends, the client
        // reconnects from its last cursor
        throw new IllegalStateException("inbox catch-up stalled");
      }
      if (!page.items().isEmpty()) {
        cursor.set(Long.parseLong(page.nextCursor()));
      }
      return page.items();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", null);
    }
  }

  /** Ends every open stream of {@code agencyId} on this instance; returns how many. */
  public int cut(String agencyId) {
    Set<Tap> streams = open.get(agencyId);
    if (streams == null) {
      return 0;
    }
    int n = 0;
    for (Iterator<Tap> it = streams.iterator(); it.hasNext(); ) {
      Tap t = it.next();
      it.remove();
      t.end();
      n++;
    }
    return n;
  }

  /** Open streams of {@code agencyId} on this instance. */
  public int openStreams(String agencyId) {
    Set<Tap> streams = open.get(agencyId);
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

  /**
   * One open stream's tap on the live copies: holds them (at most {@link #BUFFER}) until the stream
   * has caught up and attaches its emitter, then passes them straight on.
   */
  static final class Tap {
    private final ArrayDeque<InboxItem> held = new ArrayDeque<>();
    private MultiEmitter<? super InboxItem> emitter;
    private boolean ended;
    private boolean overflowed;

    synchronized void offer(InboxItem item) {
      if (emitter != null) {
        emitter.emit(item);
      } else if (!ended) {
        if (held.size() >= BUFFER) {
          // too far behind: the stream ends and its client resumes from its last cursor
          overflowed = true;
          ended = true;
          held.clear();
        } else {
          held.add(item);
        }
      }
    }

    synchronized void attach(MultiEmitter<? super InboxItem> e) {
      if (overflowed) {
        e.fail(new IllegalStateException("live copies overflowed while catching up"));
      } else if (ended) {
        e.complete();
      } else {
        held.forEach(e::emit);
        held.clear();
        emitter = e;
      }
    }

    synchronized boolean ended() {
      return ended;
    }

    synchronized void end() {
      ended = true;
      held.clear();
      if (emitter != null) {
        emitter.complete();
      }
    }
  }
}
