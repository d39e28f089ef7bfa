package org.safehub.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.safehub.config.DeadlineSettings;

/**
 * How fast each agency acknowledges what it must, per message type, from the copies the hub watched
 * ({@code copy_deadline}): copies due in a period, acknowledged in time, late, still overdue, and
 * the median and 90th percentile of the time from acceptance to acknowledgement. The same figures,
 * over the last {@code safehub.deadlines.metrics-window}, are Prometheus gauges labelled with
 * agency id and message type only.
 */
@Singleton
public final class ResponseTimes {

  private static final Logger LOG = Logger.getLogger(ResponseTimes.class);

  private static final String QUERY =
      "select recipient, message_type, count(*),"
          + " count(*) filter (where acknowledged_at <= deadline),"
          + " count(*) filter (where acknowledged_at > deadline),"
          + " count(*) filter (where acknowledged_at is null and deadline < ?),"
          + " percentile_cont(0.5) within group (order by greatest(0, extract(epoch from acknowledged_at - accepted_at))::float8)"
          + "   filter (where acknowledged_at is not null),"
          + " percentile_cont(0.9) within group (order by greatest(0, extract(epoch from acknowledged_at - accepted_at))::float8)"
          + "   filter (where acknowledged_at is not null)"
          + " from copy_deadline where deadline >= ? and deadline < ?"
          + " and (?::text is null or recipient = ?) and (?::text is null or message_type = ?)"
          + " group by recipient, message_type order by recipient, message_type";

  /**
   * One agency's figures for one message type; the times are seconds, null when nothing was
   * acknowledged.
   */
  public record Row(
      String agency,
      String type,
      long due,
      long acknowledgedInTime,
      long acknowledgedLate,
      long overdue,
      Double medianSecondsToAcknowledge,
      Double p90SecondsToAcknowledge) {}

  private final DataSource ds;
  private final Clock clock;
  private final Duration metricsWindow;
  private final MultiGauge copies;
  private final MultiGauge seconds;

  @Inject
  public ResponseTimes(
      DataSource ds, Clock clock, DeadlineSettings settings, MeterRegistry metrics) {
    this.ds = ds;
    this.clock = clock;
    this.metricsWindow = settings.metricsWindow();
    this.copies =
        MultiGauge.builder("safehub.response.copies")
            .description(
                "Copies due in the metrics window by outcome (due, in-time, late, overdue), per"
                    + " recipient agency and message type")
            .register(metrics);
    this.seconds =
        MultiGauge.builder("safehub.response.acknowledge.seconds")
            .description(
                "Seconds from acceptance to acknowledgement in the metrics window (percentile 50,"
                    + " 90), per recipient agency and message type")
            .register(metrics);
  }

  /**
   * The figures for copies whose deadline falls in [{@code from}, {@code to}), optionally for one
   * agency and/or one message type; overdue counts by the hub's clock now.
   */
  public List<Row> report(Instant from, Instant to, String agency, String type)
      throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(QUERY)) {
      ps.setTimestamp(1, Timestamp.from(clock.instant()));
      ps.setTimestamp(2, Timestamp.from(from));
      ps.setTimestamp(3, Timestamp.from(to));
      ps.setString(4, agency);
      ps.setString(5, agency);
      ps.setString(6, type);
      ps.setString(7, type);
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Row(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  seconds(rs, 7),
                  seconds(rs, 8)));
        }
      }
      return out;
    }
  }

  /** Reads the last window's figures into the gauges. */
  @Scheduled(
      every = "${safehub.deadlines.metrics-every:60s}",
      delayed = "10s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public void refreshMetrics() {
    Instant now = clock.instant();
    List<Row> rows;
    try {
      rows = report(now.minus(metricsWindow), now, null, null);
    } catch (SQLException e) {
      LOG.warnf("response-time metrics not refreshed (%s)", e.getClass().getSimpleName());
      return;
    }
    List<MultiGauge.Row<?>> counts = new ArrayList<>();
    List<MultiGauge.Row<?>> times = new ArrayList<>();
    for (Row r : rows) {
      Tags tags = Tags.of("agency", r.agency(), "type", r.type());
      counts.add(MultiGauge.Row.of(tags.and("outcome", "due"), r.due()));
      counts.add(MultiGauge.Row.of(tags.and("outcome", "in-time"), r.acknowledgedInTime()));
      counts.add(MultiGauge.Row.of(tags.and("outcome", "late"), r.acknowledgedLate()));
      counts.add(MultiGauge.Row.of(tags.and("outcome", "overdue"), r.overdue()));
      if (r.medianSecondsToAcknowledge() != null) {
        times.add(MultiGauge.Row.of(tags.and("percentile", "50"), r.medianSecondsToAcknowledge()));
        times.add(MultiGauge.Row.of(tags.and("percentile", "90"), r.p90SecondsToAcknowledge()));
      }
    }
    copies.register(counts, true);
    seconds.register(times, true);
  }

  private static Double seconds(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : Math.round(v * 1000) / 1000.0;
  }
}
