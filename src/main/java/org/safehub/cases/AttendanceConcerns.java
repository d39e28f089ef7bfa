package org.safehub.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.safehub.copy.Notice;
import org.safehub.copy.NoticeSource;
import org.safehub.db.Transactions;
import org.safehub.envelope.Envelope;
import org.safehub.validation.StrictJson;

/**
 * After {@code n} consecutive unexplained absences (attendance {@code missed}, {@code
 * absenceReason: not-notified}) on an open case, in session-date order, the hub itself sends the
 * case's partner-support and children's-services members one content-free {@code
 * attendance-concern} notice (only the attendance a member sends counts): the case, the count, the
 * first and the last session date. One notice per run of absences; an attended or notified session
 * ends the run. Each attendance message is recorded once, under the case's row lock, with the
 * decision it made, so a retried batch sends the same notice again and never a second one.
 */
@Singleton
public final class AttendanceConcerns implements NoticeSource {

  public static final String KIND = "attendance-concern";

  private final DataSource ds;
  private final CaseStore store;
  private final ObjectMapper mapper;
  private final int threshold;

  @Inject
  public AttendanceConcerns(DataSource ds, CaseStore store, StrictJson json, CasesConfig config) {
    this(ds, store, json.mapper(), config.unexplainedAbsencesForConcern());
  }

  public AttendanceConcerns(DataSource ds, CaseStore store, ObjectMapper mapper, int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException(
          "safehub.cases.unexplained-absences-for-concern must be 1 or more");
    }
    this.ds = ds;
    this.store = store;
    this.mapper = mapper;
    this.threshold = threshold;
  }

  /** A run of unexplained absences that made a notice. */
  record Concern(int count, LocalDate first, LocalDate last) {}

  @Override
  public List<Notice> noticesFor(Envelope envelope, JsonNode message, String sender)
      throws Exception {
    if (!PartnerFirst.ATTENDANCE.equals(envelope.type())) {
      return List.of();
    }
    LocalDate session;
    try {
      session = LocalDate.parse(message.path("payload").path("sessionDate").asText(""));
    } catch (DateTimeParseException e) {
      return List.of(); // the schema requires it; nothing to count without it
    }
    boolean unexplained = PartnerFirst.unexplainedAbsence(message);
    record Decided(CaseFile file, Concern concern) {}
    Decided d =
        Transactions.inTransaction(
            ds,
            c -> {
              Optional<CaseFile> file = store.find(c, envelope.caseRef(), true);
              file = CaseFile.seenBy(file, sender); // a non-member's attendance counts for nothing
              if (file.isEmpty() || !file.get().open()) {
                return null;
              }
              return new Decided(file.get(), recordSession(c, envelope, session, unexplained));
            });
    if (d == null || d.concern() == null) {
      return List.of();
    }
    List<Notice> out = new ArrayList<>();
    for (Map.Entry<String, CaseRole> m : d.file().members().entrySet()) {
      if (m.getValue() == CaseRole.PARTNER_SUPPORT || m.getValue() == CaseRole.CHILDRENS_SERVICES) {
        ObjectNode n = mapper.createObjectNode();
        n.put("notice", KIND);
        n.put("caseRef", envelope.caseRef());
        n.put("unexplainedAbsences", d.concern().count());
        n.put("firstSessionDate", d.concern().first().toString());
        n.put("lastSessionDate", d.concern().last().toString());
        n.put("messageId", envelope.messageId().toString());
        out.add(new Notice(m.getKey(), KIND, n));
      }
    }
    return out;
  }

  /** Records the session (once) and returns the concern it raised, if any. */
  private Concern recordSession(
      Connection c, Envelope envelope, LocalDate session, boolean unexplained) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select concern_count, concern_first, concern_last from case_attendance where message_id = ?")) {
      ps.setObject(1, envelope.messageId());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          int count = rs.getInt(1);
          return rs.wasNull()
              ? null
              : new Concern(count, rs.getDate(2).toLocalDate(), rs.getDate(3).toLocalDate());
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into case_attendance (message_id, case_ref, session_date, unexplained) values (?, ?, ?, ?)")) {
      ps.setObject(1, envelope.messageId());
      ps.setString(2, envelope.caseRef());
      ps.setDate(3, Date.valueOf(session));
      ps.setBoolean(4, unexplained);
      ps.executeUpdate();
    }
    if (!unexplained) {
      return null;
    }
    // the latest run of unexplained absences, newest session first; stop at the first other one
    int count = 0;
    LocalDate first = null;
    LocalDate last = null;
    boolean alreadyRaised = false;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select session_date, unexplained, concern_count is not null from case_attendance"
                + " where case_ref = ? order by session_date desc, seq desc limit ?")) {
      ps.setString(1, envelope.caseRef());
      ps.setInt(2, 10_000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && rs.getBoolean(2)) {
          LocalDate date = rs.getDate(1).toLocalDate();
          last = last == null ? date : last;
          first = date;
          count++;
          alreadyRaised |= rs.getBoolean(3);
        }
      }
    }
    if (count < threshold || alreadyRaised || !session.isAfter(first.minusDays(1))) {
      return null;
    }
    Concern concern = new Concern(count, first, last);
    try (PreparedStatement ps =
        c.prepareStatement(
            "update case_attendance set concern_count = ?, concern_first = ?, concern_last = ? where message_id = ?")) {
      ps.setInt(1, count);
      ps.setDate(2, Date.valueOf(first));
      ps.setDate(3, Date.valueOf(last));
      ps.setObject(4, envelope.messageId());
      ps.executeUpdate();
    }
    return concern;
  }
}
