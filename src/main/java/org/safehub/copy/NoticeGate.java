package org.safehub.copy;

/**
 * A copy stage that also decides on the hub's own notices: a notice is a copy too, withheld from a
 * recipient that must receive nothing. Called after {@link CopyStage#beginBatch}; a thrown
 * exception withholds.
 */
public interface NoticeGate {

  /** Why {@code notice} must not be delivered, or null to deliver it. */
  WithholdReason withhold(Notice notice);
}
