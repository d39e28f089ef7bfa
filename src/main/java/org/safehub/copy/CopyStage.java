package org.safehub.copy;

/**
 * One step between routing and delivery (consent gate, redaction, safety guard). A stage must fail
 * closed: if it cannot decide, it withholds.
 */
@FunctionalInterface
public interface CopyStage {
  StageOutcome apply(Copy copy);

  /**
   * Called once before each batch, so a stage can read what it needs in one go (e.g. the consent of
   * every subject in the batch). Throwing fails the whole batch, which is retried: nothing is delivered.
   */
  default void beginBatch(java.util.List<org.safehub.envelope.Envelope> batch) throws Exception {}
}
