package org.safehub.pipeline;

import org.safehub.copy.Copy;

/** Turns a finished copy into the bytes written to the recipient's delivery topic (plain JSON, or sealed CMS). */
public interface CopyWriter {

  /** The value of the {@code safehub-format} header for copies this writer produces. */
  String format();

  /** The bytes of the copy; throws if the copy cannot be written safely, and then the copy is withheld. */
  byte[] write(Copy copy) throws Exception;
}
