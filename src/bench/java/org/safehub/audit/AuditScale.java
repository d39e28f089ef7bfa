package org.safehub.audit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Scale measurement, not a test (Surefire does not pick it up): appends 1,000,000 events to an
 * embedded PostgreSQL, then times the auditor's queries, roots and proofs, and an export verified
 * offline. Prints figures; asserts nothing. Run from the project root after {@code ./mvnw -o -q
 * test-compile -Dquarkus.build.skip=true}:
 *
 * <pre>
 * ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java [-Daudit.durable=true] -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) org.safehub.audit.AuditScale [events [keep-dir]]
 * </pre>
 *
 * With {@code keep-dir}, the export and the public key (PEM) are left there for trying {@link
 * AuditVerifier}.
 */
public final class AuditScale {

  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final int CASES = 20_000;
  private static final int AGENCIES = 40;
  private static final int BATCH = 1000;
  private static final AuditAction[] LIFECYCLE = {
    AuditAction.PUBLISH_ACCEPTED,
    AuditAction.CONSENT_RECORDED,
    AuditAction.ROUTED,
    AuditAction.DELIVERED,
    AuditAction.FETCHED,
    AuditAction.ACKNOWLEDGED
  };
  private static final String[] BASES = {
    "consent",
    "consent",
    "consent",
    "safeguarding-child",
    "safeguarding-adult-at-risk",
    "vital-interests",
    "legal-obligation"
  };

  private AuditScale() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    // spread over 30 days, so an hour holds about total / 720 events
    long spacingMicros = Duration.ofDays(30).toNanos() / 1000 / total;
    // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit=off; -Daudit.durable=true
    // turns both on
    boolean durable = Boolean.getBoolean("audit.durable");
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (durable) {
      builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }
    try (EmbeddedPostgres pg = builder.start()) {
      DataSource plain = new Pool(dataSource(pg, false));
      DataSource rewritten = new Pool(dataSource(pg, true));
      Flyway.configure().dataSource(plain).locations("classpath:db/migration").load().migrate();
      KeyPair keys = AuditDatabase.p256();
      AuditLog.Settings settings = new AuditLog.Settings(10_000, Duration.ofMinutes(1));
      IntFunction<AuditEvent> events = i -> event(i, spacingMicros);
      System.out.printf(
          Locale.ROOT,
          "PostgreSQL %s (fsync %s, synchronous_commit %s), %d events, batches of %d,"
              + " checkpoint every %d%n",
          version(plain),
          setting(plain, "fsync"),
          setting(plain, "synchronous_commit"),
          total,
          BATCH,
          settings.everyEvents());

      // 1. append: the first tenth with plain JDBC batches, the rest with reWriteBatchedInserts
      int plainPart = total / 10;
      AuditLog plainLog = new AuditLog(plain, keys, AuditDatabase.testSealer(), settings);
      double plainRate = append(plainLog, events, 0, plainPart, "plain JDBC batch");
      AuditLog log = new AuditLog(rewritten, keys, AuditDatabase.testSealer(), settings);
      double rewrittenRate = append(log, events, plainPart, total, "reWriteBatchedInserts=true");
      Checkpoint last = log.checkpointNow();
      System.out.printf(
          Locale.ROOT,
          "append: %.0f events/s plain, %.0f events/s rewritten; %d checkpoints%n",
          plainRate,
          rewrittenRate,
          log.checkpoints(-1, AuditLog.MAX_LIMIT).size());
      try (Connection c = plain.getConnection();
          Statement s = c.createStatement()) {
        s.execute("vacuum analyze audit_event");
        try (ResultSet rs =
            s.executeQuery(
                "select pg_size_pretty(pg_relation_size('audit_event')),"
                    + " pg_size_pretty(pg_indexes_size('audit_event'))")) {
          rs.next();
          System.out.printf("table %s, indexes %s%n", rs.getString(1), rs.getString(2));
        }
      }

      // 2. queries (each timed cold-ish over many different keys; first page of 100)
      SplittableRandom random = new SplittableRandom(7);
      time(
          "by case ref, first page",
          200,
          () -> log.query(AuditLog.Filter.all().caseRef(caseRef(random.nextInt(CASES)))));
      time(
          "by case ref, every page (~" + total / CASES + " events)",
          200,
          () -> drain(log, AuditLog.Filter.all().caseRef(caseRef(random.nextInt(CASES)))));
      time(
          "by one-hour range, first page",
          100,
          () -> {
            Instant from = START.plus(Duration.ofHours(random.nextInt(719)));
            return log.query(AuditLog.Filter.all().between(from, from.plus(Duration.ofHours(1))));
          });
      time(
          "by one-hour range, every page (~" + total / 720 + " events)",
          50,
          () -> {
            Instant from = START.plus(Duration.ofHours(random.nextInt(719)));
            return drain(log, AuditLog.Filter.all().between(from, from.plus(Duration.ofHours(1))));
          });
      time(
          "by agency (actor or recipient), first page",
          100,
          () -> log.query(AuditLog.Filter.all().agency(agency(random.nextInt(AGENCIES)))));
      time(
          "by agency + one day, first page",
          100,
          () -> {
            Instant from = START.plus(Duration.ofDays(random.nextInt(29)));
            return log.query(
                AuditLog.Filter.all()
                    .agency(agency(random.nextInt(AGENCIES)))
                    .between(from, from.plus(Duration.ofDays(1))));
          });
      time(
          "by action + legal basis, first page",
          100,
          () ->
              log.query(
                  AuditLog.Filter.all()
                      .action(AuditAction.WITHHELD)
                      .legalBasis(BASES[random.nextInt(BASES.length)])));
      time(
          "shared without consent, one day, first page",
          100,
          () -> {
            Instant from = START.plus(Duration.ofDays(random.nextInt(29)));
            return log.sharedWithoutConsent(from, from.plus(Duration.ofDays(1)), null, 100);
          });
      explain(
          plain,
          "select seq, event_json from audit_event where true and case_ref = ? order by seq limit ?",
          caseRef(1234),
          101);
      Instant hour = START.plus(Duration.ofHours(400));
      explain(
          plain,
          "select seq, event_json from audit_event where true and time >= ? and time < ? order by seq limit ?",
          OffsetDateTime.ofInstant(hour, ZoneOffset.UTC),
          OffsetDateTime.ofInstant(hour.plus(Duration.ofHours(1)), ZoneOffset.UTC),
          101);
      explain(
          plain,
          "select seq, event_json from audit_event where action = 'delivered'"
              + " and legal_basis is distinct from 'consent' and time >= ? and time < ? order by seq limit ?",
          OffsetDateTime.ofInstant(hour, ZoneOffset.UTC),
          OffsetDateTime.ofInstant(hour.plus(Duration.ofDays(1)), ZoneOffset.UTC),
          101);

      explain(
          plain,
          "select seq, event_json from ((select seq, event_json from audit_event where actor_agency = ?"
              + " order by seq limit ?) union (select seq, event_json from audit_event where recipient = ?"
              + " order by seq limit ?)) matched order by seq limit ?",
          agency(7),
          101,
          agency(7),
          101,
          101);

      // 3. roots and proofs
      List<byte[]> leaves = new ArrayList<>(total);
      try (Connection c = plain.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps =
            c.prepareStatement("select leaf_hash from audit_event order by seq")) {
          ps.setFetchSize(10_000);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              leaves.add(rs.getBytes(1));
            }
          }
        }
        c.commit();
      }
      for (int round = 0; round < 3; round++) {
        long t = System.nanoTime();
        byte[] root = MerkleTree.root(leaves);
        System.out.printf(
            Locale.ROOT,
            "MerkleTree.root of %d leaf hashes in memory: %.0f ms (matches checkpoint: %s)%n",
            leaves.size(),
            ms(t),
            Arrays.equals(root, last.rootHash()));
      }
      long t = System.nanoTime();
      AuditLog cold = new AuditLog(plain, keys, AuditDatabase.testSealer(), settings);
      long size = cold.size();
      System.out.printf(
          Locale.ROOT,
          "cold start: index %d leaf hashes into audit_subtree (bounded memory):" + " %.0f ms%n",
          size,
          ms(t));
      t = System.nanoTime();
      byte[] cachedRoot = cold.root(size);
      System.out.printf(
          Locale.ROOT,
          "root(%d) from the warm cache: %.3f ms (matches: %s)%n",
          size,
          ms(t),
          Arrays.equals(cachedRoot, last.rootHash()));
      time(
          "root(random size) from the warm cache",
          1000,
          () -> cold.root(1 + random.nextInt((int) size)));
      time(
          "inclusion proof, random seq in the full tree (+ verify)",
          1000,
          () -> {
            AuditLog.InclusionProof p = cold.inclusionProof(random.nextInt((int) size), size);
            if (!p.verify(last.rootHash())) {
              throw new IllegalStateException("proof did not verify");
            }
            return p;
          });
      time(
          "consistency proof, random old size to full tree (+ verify)",
          1000,
          () -> {
            long m = 1L + random.nextInt((int) size);
            AuditLog.ConsistencyProof p = cold.consistencyProof(m, size);
            if (!p.verify(cold.root(m), last.rootHash())) {
              throw new IllegalStateException("proof did not verify");
            }
            return p;
          });
      // 4. appends as the pipeline makes them: a few events per message, one transaction each
      int next0 = total + 1;
      smallBatches(log, events, next0, 2000, 5, 1);
      smallBatches(log, events, next0 + 10_000, 2000, 5, 4);
      t = System.nanoTime();
      log.append(List.of(events.apply(next0 + 20_000)));
      Checkpoint next = log.checkpointNow();
      System.out.printf(
          Locale.ROOT, "append 1 + checkpointNow at %d: %.1f ms%n", next.treeSize(), ms(t));

      // 5. export everything and verify it offline
      Path file = Files.createTempFile("audit-export", ".jsonl");
      t = System.nanoTime();
      try (Writer out =
          new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
        log.export(0, next.treeSize() - 1, out);
      }
      System.out.printf(
          Locale.ROOT,
          "export of %d events: %.0f ms, %d MB%n",
          next.treeSize(),
          ms(t),
          Files.size(file) >> 20);
      t = System.nanoTime();
      AuditVerifier.Result result;
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        result = AuditVerifier.verify(in, keys.getPublic());
      }
      System.out.printf(
          Locale.ROOT, "offline verification: %.0f ms: %s%n", ms(t), result.summary());
      if (args.length > 1) {
        Path dir = Files.createDirectories(Path.of(args[1]));
        Files.move(file, dir.resolve("audit.jsonl"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("audit-public.pem"), AuditVerifier.toPem(keys.getPublic()));
        System.out.println(
            "kept " + dir.resolve("audit.jsonl") + " and " + dir.resolve("audit-public.pem"));
      } else {
        Files.delete(file);
      }
    }
  }

  private static double append(
      AuditLog log, IntFunction<AuditEvent> events, int from, int to, String how) {
    long t = System.nanoTime();
    long checkpointNanos = 0;
    for (int start = from; start < to; start += BATCH) {
      List<AuditEvent> batch = new ArrayList<>(BATCH);
      for (int i = start; i < Math.min(to, start + BATCH); i++) {
        batch.add(events.apply(i));
      }
      log.append(batch);
      long c = System.nanoTime();
      log.maybeCheckpoint();
      checkpointNanos += System.nanoTime() - c;
    }
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "appended %d events (%s) in %.1f s: %.0f events/s (maybeCheckpoint took %.1f s"
            + " of it)%n",
        to - from,
        how,
        seconds,
        (to - from) / seconds,
        checkpointNanos / 1e9);
    return (to - from) / seconds;
  }

  /**
   * {@code batches} appends of {@code size} events, each its own transaction, from {@code threads}
   * threads.
   */
  private static void smallBatches(
      AuditLog log, IntFunction<AuditEvent> events, int first, int batches, int size, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger next = new AtomicInteger();
    long t = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int k = 0; k < threads; k++) {
      done.add(
          pool.submit(
              () -> {
                for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                  List<AuditEvent> batch = new ArrayList<>(size);
                  for (int i = 0; i < size; i++) {
                    batch.add(events.apply(first + b * size + i));
                  }
                  log.append(batch);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "appended %d events as %d transactions of %d from %d thread(s): %.0f events/s,"
            + " %.0f transactions/s%n",
        batches * size,
        batches,
        size,
        threads,
        batches * size / seconds,
        batches / seconds);
  }

  /**
   * Event i: a message every six events going through its lifecycle, on a random case, agencies and
   * basis.
   */
  private static AuditEvent event(int i, long spacingMicros) {
    int message = i / LIFECYCLE.length;
    SplittableRandom r = new SplittableRandom(message);
    AuditAction action = LIFECYCLE[i % LIFECYCLE.length];
    String basis = BASES[r.nextInt(BASES.length)];
    String sender = agency(r.nextInt(AGENCIES));
    String recipient = agency(r.nextInt(AGENCIES));
    AuditEvent.Builder b =
        AuditEvent.builder(action, START.plusNanos(i * spacingMicros * 1000))
            .actor(action == AuditAction.FETCHED ? recipient : sender, "client-" + sender)
            .message(
                new UUID(0x5afe_0000_0000_0000L, message), "referral", caseRef(r.nextInt(CASES)))
            .legalBasis(
                basis,
                basis.equals("consent")
                    ? null
                    : "Information shared to protect a person at serious risk of harm; consent not sought because it would"
                        + " increase the risk.");
    if (action != AuditAction.PUBLISH_ACCEPTED) {
      b.recipient(recipient);
    }
    if (action == AuditAction.DELIVERED) {
      b.categories(List.of("victim-location", "victim-contact"));
    }
    if (action == AuditAction.DELIVERED && r.nextInt(10) == 0) {
      b =
          AuditEvent.builder(AuditAction.WITHHELD, START.plusNanos(i * spacingMicros * 1000))
              .actor("hub", null)
              .message(
                  new UUID(0x5afe_0000_0000_0000L, message), "referral", caseRef(r.nextInt(CASES)))
              .recipient(recipient)
              .legalBasis(basis, null)
              .reason("no-consent");
    }
    return b.build();
  }

  private static String caseRef(int n) {
    return String.format(Locale.ROOT, "MARAC-%05d", n);
  }

  private static String agency(int n) {
    return "agency-" + n;
  }

  private static int drain(AuditLog log, AuditLog.Filter filter) {
    int n = 0;
    AuditLog.Filter f = filter;
    while (true) {
      AuditLog.Page page = log.query(f);
      n += page.events().size();
      if (page.nextAfterSeq() == null) {
        return n;
      }
      f = f.after(page.nextAfterSeq());
    }
  }

  private interface Work {
    Object run() throws Exception;
  }

  private static void time(String what, int times, Work work) throws Exception {
    double[] samples = new double[times];
    long rows = 0;
    for (int i = 0; i < times; i++) {
      long t = System.nanoTime();
      Object result = work.run();
      samples[i] = ms(t);
      if (result instanceof AuditLog.Page page) {
        rows += page.events().size();
      } else if (result instanceof Integer n) {
        rows += n;
      }
    }
    Arrays.sort(samples);
    System.out.printf(
        Locale.ROOT,
        "%-60s median %7.2f ms, p95 %7.2f ms, max %7.2f ms (n=%d%s)%n",
        what,
        samples[times / 2],
        samples[(int) (times * 0.95)],
        samples[times - 1],
        times,
        rows > 0 ? ", " + rows / times + " rows avg" : "");
  }

  private static void explain(DataSource ds, String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("explain (analyze, buffers) " + sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      System.out.println("EXPLAIN ANALYZE " + sql);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          System.out.println("    " + rs.getString(1));
        }
      }
    }
  }

  private static String setting(DataSource ds, String name) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("select current_setting(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static String version(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static PGSimpleDataSource dataSource(EmbeddedPostgres pg, boolean rewrite) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"localhost"});
    ds.setPortNumbers(new int[] {pg.getPort()});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    ds.setReWriteBatchedInserts(rewrite);
    return ds;
  }

  /**
   * A minimal connection pool, as the hub has Agroal: without one every query would also pay for a
   * new PostgreSQL connection (a few milliseconds), which is not what is being measured.
   */
  private static final class Pool implements DataSource {
    private final PGSimpleDataSource target;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    Pool(PGSimpleDataSource target) {
      this.target = target;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection real = idle.poll();
      if (real == null) {
        real = target.getConnection();
      }
      Connection physical = real;
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                if (method.getName().equals("close")) {
                  if (!physical.getAutoCommit()) {
                    physical.rollback();
                    physical.setAutoCommit(true);
                  }
                  physical.setReadOnly(false);
                  idle.push(physical);
                  return null;
                }
                try {
                  return method.invoke(physical, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }

    @Override
    public Connection getConnection(String user, String password) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }

  private static double ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }
}
