package org.safehub.cases;

/**
 * The case store could not be read: whoever needed the case must not go on without it (fail
 * closed): the pipeline retries its batch, a publisher is answered 503.
 */
public final class CasesUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CasesUnavailable(Throwable cause) {
    super("the case store is unavailable", cause, false, false);
  }
}
