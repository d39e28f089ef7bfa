package org.safehub.problem;

import java.util.List;

/**
 * A refusal the caller must hear about, carried to the single HTTP mapper that turns it into an RFC
 * 9457 problem document. Detail and violations never contain message content.
 */
public class HubProblem extends RuntimeException {

  private final int status;
  private final String code;
  private final String title;
  private final List<Violation> violations;
  private final Integer retryAfterSeconds;

  public HubProblem(
      int status,
      String code,
      String title,
      String detail,
      List<Violation> violations,
      Integer retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.title = title;
    this.violations = violations == null ? List.of() : List.copyOf(violations);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static HubProblem of(int status, String code, String title, String detail) {
    return new HubProblem(status, code, title, detail, List.of(), null);
  }

  public static HubProblem unavailable(String detail, int retryAfterSeconds) {
    return new HubProblem(
        503,
        "unavailable",
        "Service temporarily unavailable",
        detail,
        List.of(),
        retryAfterSeconds);
  }

  public static HubProblem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String title() {
    return title;
  }

  public List<Violation> violations() {
    return violations;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
