package org.safehub.routing;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.Subject;

/**
 * When each victim (by pseudonymous subject ref) was last referred to MARAC, in PostgreSQL: the
 * acceptance time of the latest {@code marac-referral} about her, nothing else. Read once per
 * pipeline batch ({@link #beginBatch}); written in the transaction that records the batch's
 * delivery decisions ({@link Batch#record}). A referral is a repeat if an earlier one (accepted
 * before it) falls within the period before now, by the hub's {@link Clock}: a retried batch finds
 * its own referral's time, which is not earlier, and so never counts a referral as its own repeat.
 */
@Singleton
public final class MaracReferrals {

  public static final String TYPE = "marac-referral";

  private final DataSource ds;
  private final Clock clock;

  @Inject
  public MaracReferrals(DataSource ds, Clock clock) {
    this.ds = ds;
    this.clock = clock;
  }

  /** A message of a batch and when the hub accepted it. */
  public record Accepted(Envelope envelope, Instant receivedAt) {}

  /** The subject refs a referral counts for: its victims (none for any other message type). */
  static Set<String> subjects(Envelope e) {
    Set<String> refs = new LinkedHashSet<>();
    if (TYPE.equals(e.type())) {
      for (Subject s : e.subjects()) {
        if ("victim".equals(s.role())) {
          refs.add(s.ref());
        }
      }
    }
    return refs;
  }

  /**
   * Reads the last referral of every victim referred in {@code batch}, and adds the batch's own
   * referrals, so that a second referral in the same batch is a repeat of the first.
   */
  public Batch beginBatch(List<Accepted> batch) throws SQLException {
    Map<String, List<Instant>> times = new HashMap<>();
    List<Accepted> referrals = new ArrayList<>();
    for (Accepted a : batch) {
      Set<String> refs = subjects(a.envelope());
      if (!refs.isEmpty()) {
        referrals.add(a);
        refs.forEach(r -> times.computeIfAbsent(r, k -> new ArrayList<>()).add(a.receivedAt()));
      }
    }
    if (!times.isEmpty()) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "select subject_ref, referred_at from marac_referral where subject_ref = any (?)")) {
        ps.setArray(1, c.createArrayOf("text", times.keySet().toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            times.get(rs.getString(1)).add(rs.getTimestamp(2).toInstant());
          }
        }
      }
    }
    return new Batch(times, referrals, clock.instant());
  }

  /** One batch's view of the history, and its referrals to record. */
  public static final class Batch {

    /** A batch that knows no history and records nothing (a router without a store). */
    public static final Batch NONE = new Batch(Map.of(), List.of(), Instant.EPOCH);

    private final Map<String, List<Instant>> times;
    private final List<Accepted> referrals;
    private final Instant now;

    private Batch(Map<String, List<Instant>> times, List<Accepted> referrals, Instant now) {
      this.times = times;
      this.referrals = List.copyOf(referrals);
      this.now = now;
    }

    /**
     * The history as a message accepted at {@code receivedAt} sees it; one whose sender may not
     * learn it ({@code senderMayLearn} false) gets flags from it but no added recipient.
     */
    public ReferralHistory history(Instant receivedAt, boolean senderMayLearn) {
      return new ReferralHistory() {
        @Override
        public boolean referredWithin(Envelope e, Period within) {
          Instant since = now.atZone(ZoneOffset.UTC).minus(within).toInstant();
          for (String ref : subjects(e)) {
            for (Instant t : times.getOrDefault(ref, List.of())) {
              if (t.isBefore(receivedAt) && !t.isBefore(since)) {
                return true;
              }
            }
          }
          return false;
        }

        @Override
        public boolean mayAddRecipients() {
          return senderMayLearn;
        }
      };
    }

    /**
     * Records, on the caller's connection (in its transaction), the batch's referrals (one set
     * aside as unprocessable counts too: a later referral is then a repeat, never the other way); a
     * victim's time only ever moves forward.
     */
    public void record(Connection c) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "insert into marac_referral (subject_ref, referred_at) values (?, ?)"
                  + " on conflict (subject_ref) do update"
                  + " set referred_at = greatest(marac_referral.referred_at, excluded.referred_at)")) {
        // one row per victim: the driver sends a batch as one multi-row INSERT
        // (reWriteBatchedInserts), and an upsert may not touch the same row twice in one statement
        Map<String, Instant> latest = new LinkedHashMap<>();
        for (Accepted a : referrals) {
          for (String ref : subjects(a.envelope())) {
            latest.merge(ref, a.receivedAt(), (x, y) -> x.isAfter(y) ? x : y);
          }
        }
        for (Map.Entry<String, Instant> e : latest.entrySet()) {
          ps.setString(1, e.getKey());
          ps.setTimestamp(2, Timestamp.from(e.getValue()));
          ps.addBatch();
        }
        if (!latest.isEmpty()) {
          ps.executeBatch();
        }
      }
    }
  }
}
