package org.safehub.delivery;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.safehub.kafka.Topics;

/**
 * Fans committed copies out to the server-sent-event streams of their recipients. Reads every
 * delivery topic (read_committed) through SmallRye Reactive Messaging; each subscriber sees only the
 * copies addressed to its own agency.
 */
@ApplicationScoped
public class LiveCopies {

  private final BroadcastProcessor<Delivered> broadcast = BroadcastProcessor.create();

  @Inject Topics topics;

  @Inject InboxReader inbox;

  /** A copy with the agency it was delivered to. */
  public record Delivered(String agencyId, InboxItem item) {}

  @Incoming("live-copies")
  public void onCopy(ConsumerRecord<String, byte[]> record) {
    String agency = topics.agencyOf(record.topic());
    if (agency != null) {
      broadcast.onNext(new Delivered(agency, inbox.toItem(record)));
    }
  }

  /** New copies for one agency, from now on. */
  public Multi<InboxItem> stream(String agencyId) {
    return broadcast.filter(d -> d.agencyId().equals(agencyId)).map(Delivered::item).onOverflow().buffer(1000);
  }
}
