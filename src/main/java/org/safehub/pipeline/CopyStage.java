package org.safehub.pipeline;

/**
 * One step between routing and delivery (consent gate, redaction, safety guard). A stage must fail
 * closed: if it cannot decide, it withholds.
 */
@FunctionalInterface
public interface CopyStage {
  StageOutcome apply(Copy copy);
}
