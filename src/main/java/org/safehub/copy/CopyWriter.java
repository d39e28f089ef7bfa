package org.safehub.copy;

import org.safehub.db.ReadsTogether;

/**
 * Turns a finished copy into the bytes written to the recipient's delivery topic (plain JSON, or
 * sealed CMS). Same threading contract as {@link CopyStage}: {@link #beginBatch} on the pipeline
 * thread, then {@link #write} and {@link #writeNotice} concurrently from the pipeline's workers.
 */
public interface CopyWriter {

  /** The value of the {@code safehub-format} header for copies this writer produces. */
  String format();

  /** Called once before each batch (e.g. to read the agencies' current certificates). */
  default void beginBatch() throws Exception {}

  /** As {@link CopyStage#batchRead}: the writer's read for a batch, or null. */
  default ReadsTogether.Read batchRead() {
    return null;
  }

  /**
   * The bytes of the copy; throws if the copy cannot be written safely, and then the copy is
   * withheld.
   */
  byte[] write(Copy copy) throws Exception;

  /** The bytes of a hub notice for its recipient, in the same format as copies. */
  byte[] writeNotice(Notice notice) throws Exception;
}
