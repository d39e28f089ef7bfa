package org.safehub.delivery;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.safehub.kafka.Topics;

/**
 * Which delivery topics the live-copies consumer reads: only those of the agencies with a live
 * stream open on this instance. Every other delivery partition is paused (within one sweep of its
 * agency's last stream ending), so with no stream open the hub fetches nothing from the delivery
 * topics (before, it read every copy of every agency and threw it away). Resuming an agency's
 * partition moves it to the committed end, resolved, first; the stream then catches up from its
 * cursor (see {@link LiveCopies}), so no copy falls between the two.
 *
 * <p>Everything that touches the consumer runs on its polling thread, one task at a time, and
 * decides from the open streams as they are when it runs: a stream opened and closed at once, or
 * closed and reopened, leaves the partition as the last of them needs it.
 *
 * <p>A rebalance (the pattern subscription finds a new delivery topic) revokes and reassigns every
 * partition; the ones being read go on after the last copy handed to the streams (the connector
 * drops what it had fetched but not yet handed over), not from the end, so an open stream loses
 * none of the copies committed meanwhile. A partition first seen after the first assignment is a
 * new topic: it is read from its start, so its first copies are not lost either.
 */
@ApplicationScoped
@Identifier(LivePartitions.NAME)
public class LivePartitions implements KafkaConsumerRebalanceListener {

  /** The rebalance listener's name in the channel's configuration. */
  public static final String NAME = "safehub-live-partitions";

  static final String CHANNEL = "live-copies";

  private static final Logger LOG = Logger.getLogger(LivePartitions.class);

  private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(5);

  /** How often the partitions of agencies without a stream are paused. */
  static final String SWEEP = "5s";

  /**
   * How long a stream waits for its partition's assignment (the subscription's first, or the one
   * after a revocation).
   */
  private static final Duration JOIN_WAIT = Duration.ofSeconds(30);

  /** Whether an agency has a stream open on this instance: {@link LiveCopies}' own streams. */
  private volatile Predicate<String> streaming = agency -> false;

  /** Per partition read, the offset after the last copy handed to the streams. */
  private final ConcurrentMap<TopicPartition, Long> nextToHand = new ConcurrentHashMap<>();

  // polling thread only
  private final Map<TopicPartition, Long> revokedWhileRead = new HashMap<>();

  /** New topics to be read from their start whose start is not resolved yet. */
  private final Set<TopicPartition> fromStartUnresolved = new HashSet<>();

  private final Set<TopicPartition> seen = new HashSet<>();
  private boolean assignedOnce;

  private KafkaClientService clients;
  private Topics topics;

  @Inject
  public LivePartitions(KafkaClientService clients, Topics topics) {
    this.clients = clients;
    this.topics = topics;
  }

  /** For the client proxy only. */
  protected LivePartitions() {}

  /** Which agencies have a stream open: set once, by {@link LiveCopies}, which holds them. */
  void readFor(Predicate<String> streaming) {
    this.streaming = streaming;
  }

  /**
   * For a stream of {@code agencyId} just opened (and already counted by {@link #streaming}): its
   * delivery partition is read from the committed end on, if it was not already, before the
   * returned item. Fails (and the stream with it) if the consumer cannot find the end.
   */
  public Uni<Void> read(String agencyId) {
    return sync(agencyId);
  }

  /**
   * Pauses the partitions of agencies whose last stream has ended: by this sweep (within {@link
   * #SWEEP}), not as each stream ends, so a client that opens and closes streams in a loop costs
   * the consumer one resume per sweep at most, not one per stream.
   */
  @Scheduled(every = SWEEP, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void pauseUnwanted() {
    KafkaConsumer<String, byte[]> consumer = clients.getConsumer(CHANNEL);
    if (consumer == null) {
      return;
    }
    consumer
        .<Void>runOnPollingThread(
            c -> {
              apply(c, c.assignment());
              return null;
            })
        .subscribe()
        .with(
            ok -> {},
            e ->
                LOG.warnf(
                    "delivery partitions without a live stream not paused this time (%s)",
                    e.getClass().getSimpleName()));
  }

  private Uni<Void> sync(String agencyId) {
    TopicPartition tp = new TopicPartition(topics.delivery(agencyId), 0);
    KafkaConsumer<String, byte[]> consumer = clients.getConsumer(CHANNEL);
    if (consumer == null) {
      return Uni.createFrom().failure(new IllegalStateException("live copies not started"));
    }
    return consumer
        .<Void>runOnPollingThread(
            c -> {
              apply(c, List.of(tp));
              return null;
            })
        .onFailure(NotYetAssigned.class)
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .expireIn(JOIN_WAIT.toMillis());
  }

  /**
   * The stream's partition is not assigned yet: the subscription has not had its first assignment,
   * or is between a revocation and the assignment that follows it.
   */
  static final class NotYetAssigned extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NotYetAssigned() {
      super("live copies not yet assigned");
    }
  }

  /** Pauses or resumes each partition as the open streams need it now (on the polling thread). */
  private void apply(Consumer<?, ?> c, Collection<TopicPartition> partitions) {
    Set<TopicPartition> assigned = c.assignment();
    Set<TopicPartition> paused = c.paused();
    List<TopicPartition> resume = new ArrayList<>();
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> unresolved = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      if (!assigned.contains(tp)) {
        if (isWanted(tp) && (!assignedOnce || seen.contains(tp))) {
          // the subscription has not joined its group yet, or is between a revocation and the
          // assignment that follows it: where the partition will be read from is not known yet,
          // so the stream waits (and ends if that takes too long; its client reconnects)
          throw new NotYetAssigned();
        }
        continue; // a topic the subscription has not found yet: it is read from its start
      }
      boolean read = !paused.contains(tp);
      if (isWanted(tp) && !read) {
        resume.add(tp);
      } else if (!isWanted(tp) && read) {
        pause.add(tp);
      } else if (read && !nextToHand.containsKey(tp)) {
        unresolved.add(tp); // where from was not resolved when it was assigned
      }
    }
    if (!pause.isEmpty()) {
      c.pause(pause);
      pause.forEach(fromStartUnresolved::remove); // resumed later at the end, as any other
    }
    // resolved after the pauses (a slow broker fails this, not them), before the stream catches up
    startAt(c, unresolved);
    if (!resume.isEmpty()) {
      c.seekToEnd(resume);
      startAt(c, resume); // the end now, not at some later fetch
      c.resume(resume);
    }
  }

  /** Resolves where each partition is read from now, and notes it as the next to hand over. */
  private void startAt(Consumer<?, ?> c, Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      nextToHand.put(tp, c.position(tp, POSITION_TIMEOUT));
      fromStartUnresolved.remove(tp);
    }
  }

  /**
   * Notes that {@code record} has been handed to the open streams (any thread): a rebalance goes on
   * after it, not after the copies fetched but not yet handed over, which the connector drops.
   */
  void handedOver(ConsumerRecord<?, ?> record) {
    nextToHand.merge(
        new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
  }

  private boolean isWanted(TopicPartition tp) {
    String agency = topics.agencyOf(tp.topic());
    return agency != null && streaming.test(agency);
  }

  @Override
  public void onPartitionsRevoked(Consumer<?, ?> c, Collection<TopicPartition> partitions) {
    revokedWhileRead.clear();
    Set<TopicPartition> paused = c.paused();
    for (TopicPartition tp : partitions) {
      Long next = nextToHand.get(tp);
      if (!paused.contains(tp) && next != null) {
        revokedWhileRead.put(tp, next);
      }
    }
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> c, Collection<TopicPartition> partitions) {
    // the positions kept are the copies handed over, not the consumer's: as for a revocation
    onPartitionsRevoked(c, partitions);
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> c, Collection<TopicPartition> partitions) {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> fromStart = new ArrayList<>();
    List<TopicPartition> fromEnd = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Long position = revokedWhileRead.get(tp);
      if (!isWanted(tp)) {
        pause.add(tp);
      } else if (position != null) {
        c.seek(tp, position); // read before the rebalance: on from where it was
      } else if (fromStartUnresolved.contains(tp) || (assignedOnce && !seen.contains(tp))) {
        fromStart.add(tp); // a new topic: all of it is new
      } else {
        // wanted, but paused until now: its stream's resume has not run yet (it runs on this
        // thread) and the stream reads nothing before it, so the end now misses nothing
        fromEnd.add(tp);
      }
    }
    revokedWhileRead.clear();
    seen.addAll(partitions);
    assignedOnce = true;
    // the unwanted ones paused first, so a failure below cannot leave them read
    c.pause(pause);
    pause.forEach(fromStartUnresolved::remove);
    List<TopicPartition> read = new ArrayList<>(partitions);
    read.removeAll(pause);
    c.resume(read);
    if (!fromStart.isEmpty()) {
      c.seekToBeginning(fromStart);
    }
    if (!fromEnd.isEmpty()) {
      c.seekToEnd(fromEnd);
    }
    List<TopicPartition> start = new ArrayList<>(fromStart);
    start.addAll(fromEnd);
    boolean slow = false;
    for (TopicPartition tp : start) {
      if (!slow) {
        try {
          startAt(c, List.of(tp));
          continue;
        } catch (RuntimeException e) {
          slow = true; // the broker is slow: the rest are left as well, not waited for in turn
          LOG.warnf(
              "live copies: where to read new delivery partitions from not resolved yet (%s)",
              e.getClass().getSimpleName());
        }
      }
      // resolved before a stream of its agency catches up (apply); a new topic's start is kept
      // through a rebalance until then
      nextToHand.remove(tp);
      if (fromStart.contains(tp)) {
        fromStartUnresolved.add(tp);
      }
    }
  }
}
