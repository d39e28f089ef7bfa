package org.safehub.copy;

import java.util.List;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;

/**
 * One step between routing and sealing (suspension, consent gate, redaction, safety guard); the
 * pipeline's {@code Stages} says which, in which order. A stage must fail closed: if it cannot
 * decide, it withholds (a stage that throws withholds the copy with {@code policy-error}).
 *
 * <p>Threading contract. The pipeline has one thread, {@code safehub-pipeline}, which calls {@link
 * #beginBatch} once per batch, before any copy of that batch is applied. It then calls {@link
 * #apply} (and {@link NoticeGate#withhold}) for the batch's copies <em>concurrently</em>, from the
 * pipeline's own fork-join pool (one worker per processor), the copies of one message also
 * concurrently with each other (each copy is its own object; the stages of one copy run in order on
 * one worker; the pipeline takes the results in routing order). {@code beginBatch} never overlaps
 * an {@code apply}, and every {@code apply} of a batch returns before the next {@code beginBatch}:
 * what {@code beginBatch} reads may be kept in a field and read without locks in {@code apply}, but
 * {@code apply} must not change shared state (or must make it thread-safe, as a cache in a
 * concurrent map). A stage is one object for the life of the hub.
 */
@FunctionalInterface
public interface CopyStage {
  StageOutcome apply(Copy copy);

  /**
   * Called once before each batch, so a stage can read what it needs in one go (e.g. the consent of
   * every subject in the batch). Throwing fails the whole batch, which is retried: nothing is
   * delivered.
   */
  default void beginBatch(List<Envelope> batch) throws Exception {}

  /**
   * What this stage reads for a batch, if the pipeline may send it with the other stages' reads in
   * one round trip; null (the default) if nothing. Called on the pipeline thread just before the
   * reads run and then {@link #beginBatch} with the same list, which must still leave the stage
   * ready for the batch if the read did not run (it then reads alone), and never with an earlier
   * batch's.
   */
  default ReadsTogether.Read batchRead(List<Envelope> batch) {
    return null;
  }
}
