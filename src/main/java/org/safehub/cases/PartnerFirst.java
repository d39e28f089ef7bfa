package org.safehub.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.safehub.envelope.Priority;

/**
 * The partner's worker first (issue 12): a programme's news that the perpetrator dropped out, was
 * excluded or missed a session without a word reaches the case's partner-support members at no less
 * than {@code urgent}, whatever priority the sender chose. Field names and values are those of
 * {@code schemas/attendance} and {@code schemas/programme-exit}.
 */
public final class PartnerFirst {

  public static final String ATTENDANCE = "attendance";
  public static final String PROGRAMME_EXIT = "programme-exit";

  /** The least priority such news reaches a partner-support member at. */
  public static final Priority FLOOR = Priority.URGENT;

  private PartnerFirst() {}

  /** Whether the message is news a partner-support member must hear at {@link #FLOOR} or above. */
  public static boolean raises(String type, JsonNode message) {
    JsonNode payload = message == null ? null : message.path("payload");
    if (payload == null) {
      return false;
    }
    if (PROGRAMME_EXIT.equals(type)) {
      String exit = payload.path("exitType").asText("");
      return exit.equals("dropped-out") || exit.equals("excluded");
    }
    return ATTENDANCE.equals(type) && unexplainedAbsence(message);
  }

  /** A missed session whose absence was not notified. */
  public static boolean unexplainedAbsence(JsonNode message) {
    JsonNode payload = message.path("payload");
    return "missed".equals(payload.path("status").asText(""))
        && "not-notified".equals(payload.path("absenceReason").asText(""));
  }

  /** {@code view} (a copy's own message) at {@code priority}: a raised copy says so itself. */
  public static JsonNode at(JsonNode view, Priority priority) {
    if (view instanceof ObjectNode o && !priority.wire().equals(o.path("priority").asText())) {
      o.put("priority", priority.wire());
    }
    return view;
  }

  /** {@code priority}, raised to the floor if below it. */
  public static Priority raise(Priority priority) {
    return priority.compareTo(FLOOR) < 0 ? FLOOR : priority;
  }
}
