package org.safehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.safehub.testsupport.ForgedTokens;
import org.safehub.testsupport.RawHttp;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * A deterministic corpus of malformed and adversarial requests against the running hub (real Kafka,
 * PostgreSQL and Keycloak): broken UTF-8, lone surrogates, control characters, huge numbers, deep
 * nesting, duplicate keys, wrong types, oversize fields and bodies, injection strings, unknown
 * types and versions, header and framing tricks, and bad tokens; hostile query values and path ids
 * too.
 *
 * <p>For every request: never a 5xx, an answer within 10 s, the status the case expects (4xx, or
 * 202/200 only for the deliberate controls), every refusal with a body an RFC 9457 problem document
 * whose {@code status} is the HTTP status, and no 500 counted by the hub even where the client saw
 * none (its {@code safehub_requests_refused_total{problem="internal-error"}} metric, read after
 * each request). Refusals the HTTP server makes before the hub sees the request (bad framing,
 * header limits, bodies over {@code quarkus.http.limits.max-body-size}) may be bare (no body).
 * Afterwards: the hub is ready, a normal message and every accepted control are delivered, and
 * every refusal answered with a problem document is in the audit log (read through the auditor's
 * API).
 *
 * <p>Each request of the corpus is a dynamic test of its own, named {@code #n [category] request},
 * so a failure names its case; the checks after the corpus are tests of their own too.
 *
 * <p>Each request and its answer is written to {@code target/hostile-input-corpus.log}; a 5xx to a
 * publish is followed by a status query showing whether the hub kept the message anyway, and
 * hostile messages the hub accepted are listed with their delivery state.
 */
@QuarkusTest
class HostileInputIT {

  private static final long SEED = 0x5AFE_4B0B_2026L;
  private static final Duration PER_REQUEST = Duration.ofSeconds(10);
  private static final String MESSAGES = "/api/v1/messages";
  private static final String INBOX = "/api/v1/inbox";
  private static final int HUB_BODY_LIMIT = 256 * 1024;
  private static final String MARK = "FUZZ-MARK-5afe";
  private static final String PROBLEM = "urn:safehub:problem:";
  private static final String SENDER = "demo-dvpp";
  private static final String READER = "demo-iss";

  /**
   * Every request of the corpus and what the hub answered, one entry each, for whoever reads a
   * failure.
   */
  private static final java.nio.file.Path CORPUS_LOG =
      java.nio.file.Path.of("target", "hostile-input-corpus.log");

  @TestHTTPResource("/")
  URL hub;

  private final Random random = new Random(SEED);
  private final List<Case> corpus = new ArrayList<>();
  private final List<String> acceptedControls = new ArrayList<>();
  private HttpClient http;
  private String host;
  private int port;

  // ------------------------------------------------------------------------------------------------
  // the model: a case, what it must get, what came back

  /**
   * What a case must get back: one of {@code statuses}; a problem type from {@code types} (empty:
   * any).
   */
  record Expect(
      Set<Integer> statuses,
      Set<String> types,
      boolean mayCloseWithoutAnswer,
      boolean bareAndClose,
      String violation) {
    static Expect of(int status, String... types) {
      return new Expect(Set.of(status), Set.of(types), false, false, null);
    }

    static Expect oneOf(Set<Integer> statuses, String... types) {
      return new Expect(statuses, Set.of(types), false, false, null);
    }

    /**
     * A 400 of one of {@code types} whose problem lists the violation {@code keyword} at {@code
     * pointer}.
     */
    static Expect violation(String pointer, String keyword, String... types) {
      return new Expect(Set.of(400), Set.of(types), false, false, pointer + " " + keyword);
    }

    /**
     * What the HTTP server itself (Vert.x, before the hub sees the request) answers: this status
     * with no body and 'Connection: close'.
     */
    static Expect serverLevel(int status) {
      return new Expect(Set.of(status), Set.of(), false, true, null);
    }

    Expect orClose() {
      return new Expect(statuses, types, true, bareAndClose, violation);
    }

    boolean allowsSuccess() {
      return statuses.stream().anyMatch(s -> s < 300);
    }
  }

  /** One answer on the wire. */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * What happened to a request: its answers (a smuggled request gets its own), or a close, or a
   * hang.
   */
  record Result(
      List<Answer> answers, boolean closedWithoutAnswer, boolean hung, String error, long millis) {}

  interface Sender {
    Result send() throws Exception;
  }

  /**
   * {@code request} says exactly what was sent (method, target, the trick), for the failure report.
   */
  record Case(String category, String request, Sender sender, Expect expect) {}

  private void add(String category, String request, Expect expect, Sender sender) {
    corpus.add(new Case(category, request, sender, expect));
  }

  // ------------------------------------------------------------------------------------------------
  // the test: one dynamic test per case, in corpus order, then the checks of the hub after the
  // corpus

  /**
   * A refusal the client never saw (no answer, a cut framing, an oversize upload) is counted a
   * moment later.
   */
  private static final Duration LATE_COUNT = Duration.ofMillis(300);

  private long start;
  private double internalErrorsBefore;
  private double internalErrorsSeen;
  private Instant corpusStart;
  private Instant corpusEnd;
  private final List<String> silent = new ArrayList<>();
  private final Map<String, String> unexpectedlyAccepted = new LinkedHashMap<>();
  private final StringBuilder log = new StringBuilder();
  private final Map<String, Integer> refusalsSeen = new TreeMap<>();
  private final Map<String, Integer> byStatus = new TreeMap<>();
  private final Map<String, Integer> byCategory = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();

  /**
   * Each request of the corpus is a test of its own, named {@code #n [category] request}, run in
   * corpus order; a failure names its case. After the corpus: the hub is ready and still delivers,
   * counted no internal error, and audited every refusal it answered with a problem document.
   */
  @TestFactory
  Stream<DynamicNode> hostileCorpusNeverCrashesHangsOrAnswersWithoutAProblemDocument()
      throws Exception {
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    host = hub.getHost();
    port = hub.getPort();
    start = System.nanoTime();
    internalErrorsBefore = refusalCounter("internal-error");
    internalErrorsSeen = internalErrorsBefore;

    // the base message must be accepted, or every case below proves nothing
    ObjectNode control = base();
    Result first = post(SENDER, "application/json", bytes(control));
    assertEquals(
        202,
        first.answers().isEmpty() ? -1 : first.answers().get(0).status(),
        "the valid base message must be accepted: " + describe(first));

    buildCorpus();
    corpusStart = Instant.now();
    List<DynamicNode> tests = new ArrayList<>();
    tests.add(
        dynamicTest(
            "the corpus has at least 500 requests",
            () ->
                assertTrue(
                    corpus.size() >= 500,
                    "the corpus has at least 500 requests: " + corpus.size())));
    String number = "#%0" + Integer.toString(corpus.size()).length() + "d";
    for (int i = 0; i < corpus.size(); i++) {
      Case c = corpus.get(i);
      int n = i + 1;
      tests.add(
          dynamicTest(
              String.format(number, n) + " [" + c.category() + "] " + c.request(),
              () -> runCase(n, c)));
    }
    tests.add(
        dynamicContainer(
            "after the corpus",
            Stream.of(
                dynamicTest("the hub is ready", this::hubIsReadyAfterTheCorpus),
                dynamicTest(
                    "a valid message, and every accepted control, is delivered",
                    this::hubStillDeliversAfterTheCorpus),
                dynamicTest(
                    "the hub answered no internal-error during the corpus",
                    this::noInternalErrorDuringTheCorpus),
                dynamicTest(
                    "every refusal answered with a problem document is audited",
                    this::everyRefusalIsAudited))));
    return tests.stream();
  }

  /** Sends one case and checks what came back (see {@link #check}); fails with the case's fault. */
  private void runCase(int n, Case c) throws Exception {
    Result r;
    try {
      r = c.sender().send();
    } catch (Exception e) {
      r =
          new Result(
              List.of(),
              true,
              false,
              "CLIENT-SIDE " + e.getClass().getSimpleName() + ": " + e.getMessage(),
              0);
    }
    byCategory.merge(c.category(), 1, Integer::sum);
    boolean lateCount =
        r.answers().isEmpty() || c.category().equals("framing") || c.category().equals("oversize");
    boolean internalError = internalErrorCounted(lateCount ? LATE_COUNT : Duration.ZERO);
    if (r.answers().isEmpty()) {
      silent.add(
          "#"
              + n
              + " "
              + c.request()
              + " -> "
              + (r.hung() ? "hang" : "closed without an answer")
              + (r.error() == null ? "" : " (" + r.error() + ")"));
    }
    if (!c.expect().allowsSuccess()) {
      for (Answer a : r.answers()) {
        if (a.status() == 202) {
          JsonNode receipt = json(a.body());
          unexpectedlyAccepted.put(
              receipt == null ? "?" : receipt.path("messageId").asText(),
              "#" + n + " " + c.request());
        }
      }
    }
    if (r.answers().isEmpty()) {
      byStatus.merge(r.hung() ? "hang" : "closed", 1, Integer::sum);
    }
    for (Answer a : r.answers()) {
      byStatus.merge(Integer.toString(a.status()), 1, Integer::sum);
      JsonNode problem = a.status() >= 400 && a.body().length > 0 ? json(a.body()) : null;
      if (problem != null && problem.path("type").asText().startsWith(PROBLEM)) {
        refusalsSeen.merge(
            a.status() + " " + problem.path("type").asText().substring(PROBLEM.length()),
            1,
            Integer::sum);
      }
    }
    String fault = check(c, r);
    if (fault != null
        && c.request().startsWith("POST " + MESSAGES + " ")
        && r.answers().stream().anyMatch(a -> a.status() >= 500)) {
      fault += storedDespiteRefusal(lastMessageId);
    }
    log.append('#')
        .append(n)
        .append(" [")
        .append(c.category())
        .append("] ")
        .append(c.request())
        .append("\n    -> ")
        .append(summary(r))
        .append('\n');
    if (internalError) {
      fault =
          (fault == null ? "" : fault + "; ")
              + "the hub answered (or tried to answer) 500 internal-error for this request (its metric safehub_requests_refused_total{problem=\"internal-error\"} went up)";
    }
    if (fault != null) {
      failures.add("#" + n + " [" + c.category() + "] " + c.request() + "\n      -> " + fault);
      fail("#" + n + " [" + c.category() + "] " + c.request() + "\n      -> " + fault);
    }
  }

  /**
   * Whether the hub's count of internal errors went up since the previous case; polled for {@code
   * grace} for a refusal that is counted after the client saw the connection close.
   */
  private boolean internalErrorCounted(Duration grace) throws Exception {
    double before = internalErrorsSeen;
    if (grace.isZero()) {
      internalErrorsSeen = refusalCounter("internal-error");
    } else {
      try {
        Awaitility.await()
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(50))
            .atMost(grace)
            .until(() -> (internalErrorsSeen = refusalCounter("internal-error")) > before);
      } catch (ConditionTimeoutException e) {
        // not counted within the grace: no internal error for this case
      }
    }
    return internalErrorsSeen > before;
  }

  /**
   * Once, when the first check after the corpus runs: the corpus log, the summary, and what became
   * of hostile messages accepted.
   */
  private void corpusDone() throws Exception {
    if (corpusEnd != null) {
      return;
    }
    corpusEnd = Instant.now().plusSeconds(1);
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    java.nio.file.Files.createDirectories(CORPUS_LOG.getParent());
    java.nio.file.Files.writeString(CORPUS_LOG, log.toString());
    System.out.println(
        "HostileInputIT: "
            + corpus.size()
            + " requests in "
            + seconds
            + " s (seed "
            + Long.toHexString(SEED)
            + "); by status "
            + byStatus
            + "; by category "
            + byCategory
            + "; accepted controls "
            + acceptedControls.size()
            + "; failures "
            + failures.size());
    if (!silent.isEmpty()) {
      System.out.println(
          "HostileInputIT: requests that got no answer (allowed only where the case says so):\n  "
              + String.join("\n  ", silent));
    }
    // what became of hostile messages the hub should have refused but accepted (each of those cases
    // has failed already)
    if (!unexpectedlyAccepted.isEmpty()) {
      awaitDelivered(new ArrayList<>(unexpectedlyAccepted.keySet()), Duration.ofSeconds(3));
      List<String> fates = new ArrayList<>();
      for (Map.Entry<String, String> u : unexpectedlyAccepted.entrySet()) {
        Result st = get(MESSAGES + "/" + u.getKey() + "/status", "Bearer " + token(SENDER));
        String states =
            st.answers().isEmpty()
                ? describe(st)
                : new String(st.answers().get(0).body(), StandardCharsets.UTF_8)
                    .replaceAll(".*\"recipients\":", "");
        fates.add(u.getValue() + " -> accepted as " + u.getKey() + ", recipients now " + states);
      }
      System.out.println(
          "HostileInputIT: "
              + fates.size()
              + " hostile messages were accepted (202); their delivery:\n  "
              + String.join("\n  ", fates));
    }
  }

  private void hubIsReadyAfterTheCorpus() throws Exception {
    corpusDone();
    Result ready = get("/q/health/ready", null);
    assertTrue(
        !ready.answers().isEmpty() && ready.answers().get(0).status() == 200,
        "/q/health/ready is not 200 after the corpus: " + describe(ready));
  }

  private void hubStillDeliversAfterTheCorpus() throws Exception {
    corpusDone();
    ObjectNode after = base();
    Result accepted = post(SENDER, "application/json", bytes(after));
    String afterId = after.get("messageId").asText();
    List<String> health = new ArrayList<>();
    List<String> mustArrive = new ArrayList<>(acceptedControls);
    if (accepted.answers().isEmpty() || accepted.answers().get(0).status() != 202) {
      health.add("a valid message is not accepted after the corpus: " + describe(accepted));
    } else {
      mustArrive.add(0, afterId);
    }
    // the valid message, and every hostile-but-valid control that got a 202, is delivered (the
    // pipeline did not choke)
    Map<String, String> undelivered = awaitDelivered(mustArrive, Duration.ofSeconds(60));
    if (!undelivered.isEmpty()) {
      health.add(
          "PIPELINE STALLED: "
              + undelivered.size()
              + " accepted message(s) not delivered within 60 s"
              + (undelivered.containsKey(afterId)
                  ? ", including the valid message sent after the corpus (" + afterId + ")"
                  : "")
              + ": "
              + undelivered);
    }
    assertTrue(health.isEmpty(), String.join("\n  ", health));
  }

  private void noInternalErrorDuringTheCorpus() throws Exception {
    corpusDone();
    Result metrics = get("/q/metrics", null);
    java.nio.file.Files.write(
        CORPUS_LOG.resolveSibling("hostile-input-metrics.txt"), metrics.answers().get(0).body());
    double internalErrorsAfter = refusalCounter("internal-error");
    assertTrue(
        internalErrorsAfter <= internalErrorsBefore,
        "the hub answered "
            + (long) (internalErrorsAfter - internalErrorsBefore)
            + " internal-error problem(s) during the corpus (safehub_requests_refused_total{problem=\"internal-error\"})");
  }

  private void everyRefusalIsAudited() throws Exception {
    corpusDone();
    // a refusal answered on the event loop (a token refused before any resource ran, a rate limit)
    // is audited from a worker thread, so its event may land just after its answer: read again
    // for up to 30 s while any is missing
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> notAudited = notAudited();
    while (!notAudited.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      notAudited = notAudited();
    }
    assertTrue(notAudited.isEmpty(), String.join("\n  ", notAudited));
  }

  /** Each kind of refusal answered during the corpus that the audit log holds fewer of. */
  private List<String> notAudited() throws Exception {
    Map<String, Integer> audited = auditedRefusals(corpusStart, corpusEnd);
    System.out.println(
        "HostileInputIT: refusals answered " + refusalsSeen + "; audited " + audited);
    List<String> notAudited = new ArrayList<>();
    for (Map.Entry<String, Integer> seen : refusalsSeen.entrySet()) {
      int inLog = audited.getOrDefault(seen.getKey(), 0);
      if (inLog < seen.getValue()) {
        notAudited.add(
            "NOT AUDITED: "
                + seen.getValue()
                + " refusals '"
                + seen.getKey()
                + "' were answered during the corpus, but the audit log holds only "
                + inLog);
      }
    }
    return notAudited;
  }

  /** The fault in how the hub handled {@code c}, or null if it handled it as it must. */
  private String check(Case c, Result r) {
    Expect e = c.expect();
    if (r.hung()) {
      return "HANG: no answer and no close within "
          + PER_REQUEST.toSeconds()
          + " s"
          + (r.error() == null ? "" : " (" + r.error() + ")");
    }
    if (r.millis() > PER_REQUEST.toMillis()) {
      return "SLOW: answered after " + r.millis() + " ms";
    }
    if (r.answers().isEmpty()) {
      return e.mayCloseWithoutAnswer()
          ? null
          : "connection closed without an answer (" + r.error() + "); expected " + e.statuses();
    }
    List<String> faults = new ArrayList<>();
    for (int i = 0; i < r.answers().size(); i++) {
      Answer a = r.answers().get(i);
      String which = r.answers().size() > 1 ? "answer " + (i + 1) + ": " : "";
      if (a.status() >= 500) {
        faults.add(which + "5xx: " + describe(a));
        continue;
      }
      // a second answer on one connection is the hub's verdict on the smuggled remainder: it must
      // be a refusal
      boolean expected =
          i == 0 ? e.statuses().contains(a.status()) : a.status() >= 400 && a.status() < 500;
      if (!expected) {
        faults.add(
            which + "status " + a.status() + ", expected " + e.statuses() + ": " + describe(a));
        continue;
      }
      if (i == 0
          && e.bareAndClose()
          && (a.body().length != 0 || !"close".equalsIgnoreCase(a.header("connection")))) {
        faults.add(
            "expected the HTTP server's bare "
                + a.status()
                + " with 'Connection: close': "
                + describe(a)
                + " connection "
                + a.header("connection"));
        continue;
      }
      if (a.status() >= 400) {
        String problem = problemFault(a);
        if (problem != null) {
          faults.add(which + problem + ": " + describe(a));
          continue;
        }
        if (i == 0 && !e.types().isEmpty() && a.body().length > 0) {
          String type = json(a.body()).path("type").asText();
          if (e.types().stream().noneMatch(t -> (PROBLEM + t).equals(type))) {
            faults.add(
                which
                    + "problem type "
                    + type
                    + ", expected one of "
                    + e.types()
                    + ": "
                    + describe(a));
          }
        }
        if (i == 0 && e.violation() != null && !listedViolations(a).contains(e.violation())) {
          faults.add(
              which
                  + "the problem does not list the violation '"
                  + e.violation()
                  + "' (it lists "
                  + listedViolations(a)
                  + "): "
                  + describe(a));
        }
        if (a.status() == 401
            && (a.header("www-authenticate") == null
                || !a.header("www-authenticate").startsWith("Bearer"))) {
          faults.add(which + "401 without a 'WWW-Authenticate: Bearer' challenge: " + describe(a));
        }
        if (a.status() == 401
            && (a.body().length == 0
                || !"Unauthorized".equals(json(a.body()).path("title").asText()))) {
          faults.add(
              which + "401 is not the hub's 'Unauthorized' problem document: " + describe(a));
        }
      }
      // no header injection: nothing we smuggled in a CRLF comes back as a header
      if (a.headers().containsKey("x-injected") || a.headers().containsKey("set-cookie")) {
        faults.add(which + "response carries an injected header: " + a.headers());
      }
    }
    return faults.isEmpty() ? null : String.join("; ", faults);
  }

  /** The violations a problem document lists, each as "pointer keyword". */
  private static List<String> listedViolations(Answer a) {
    List<String> out = new ArrayList<>();
    JsonNode p = a.body().length == 0 ? null : json(a.body());
    if (p != null) {
      for (JsonNode v : p.path("violations")) {
        out.add(v.path("pointer").asText() + " " + v.path("keyword").asText());
      }
    }
    return out;
  }

  /** Why {@code a} is not a proper problem document, or null. An empty body is allowed. */
  private static String problemFault(Answer a) {
    if (a.body().length == 0) {
      // the hub's own refusals always carry a body: only a server-level refusal may be bare
      return null;
    }
    String ct = a.header("content-type");
    if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
      return "NON-PROBLEM BODY (Content-Type " + ct + ")";
    }
    JsonNode p = json(a.body());
    if (p == null || !p.isObject()) {
      return "problem body is not a JSON object";
    }
    if (!p.path("type").isTextual() || p.path("type").asText().isEmpty()) {
      return "problem without 'type'";
    }
    if (!p.path("title").isTextual() || p.path("title").asText().isEmpty()) {
      return "problem without 'title'";
    }
    if (!p.path("status").isInt() || p.path("status").asInt() != a.status()) {
      return "problem 'status' " + p.path("status") + " is not the HTTP status " + a.status();
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------
  // the corpus

  private void buildCorpus() throws Exception {
    publishBodySections();
    framingTricks();
    badTokens();
    hostileQueriesAndIds();
  }

  /** The sections whose cases are publish bodies (built without a token or a running hub). */
  private void publishBodySections() {
    brokenUtf8();
    loneSurrogates();
    controlCharacters();
    hugeNumbers();
    deepNesting();
    duplicateKeys();
    wrongTypes();
    oversize();
    injection();
    unknownTypesAndVersions();
    expensiveInput();
    headerTricks();
  }

  /**
   * Every publish body of the corpus, labelled as the corpus labels it, without sending anything
   * (and without a hub or a token): what {@link org.safehub.validation.ValidationCost} measures.
   */
  List<Map.Entry<String, byte[]>> publishBodies() {
    dryRun = new ArrayList<>();
    publishBodySections();
    for (Case c : corpus) {
      dryRunLabel = c.request();
      try {
        c.sender().send();
      } catch (Exception e) {
        throw new IllegalStateException("dry run of " + c.request(), e);
      }
    }
    return dryRun;
  }

  /** Not null in a dry run: each publish body is collected here instead of being sent. */
  private List<Map.Entry<String, byte[]>> dryRun;

  private String dryRunLabel;

  private static final Result DRY = new Result(List.of(), false, false, "dry run", 0);

  /**
   * {@code "@a"} repeated, then a space: 64 KiB (just under the parser's string limit) that a
   * backtracking email expression takes seconds over.
   */
  static String pathologicalEmail() {
    return "@a".repeat(32 * 1024 - 1) + " ";
  }

  /**
   * Strings as long as the parser allows (64 KiB) where a format or a pattern applies, built to
   * make an expression backtrack: each is refused for its length alone (the schema's maxLength,
   * checked before any format or pattern), quickly. And the worst that is within its bound: a
   * 254-character email of the same shape.
   */
  private void expensiveInput() {
    ObjectNode referral = TestMessages.example("referral");
    referral.put("messageId", uuid());
    ((ObjectNode) referral.at("/payload/perpetrator")).put("email", pathologicalEmail());
    byte[] email = bytes(referral);
    add(
        "expensive",
        "POST "
            + MESSAGES
            + " with a 64 KiB pathological email ('@a' repeated, then a space) as /payload/perpetrator/email",
        Expect.violation("/payload/perpetrator/email", "maxLength", "schema-violation"),
        () -> post(SENDER, "application/json", email));
    ObjectNode atBound = TestMessages.example("referral");
    atBound.put("messageId", uuid());
    ((ObjectNode) atBound.at("/payload/perpetrator")).put("email", "@a".repeat(126) + "@ ");
    byte[] bounded = bytes(atBound);
    add(
        "expensive",
        "POST "
            + MESSAGES
            + " with a 254-character pathological email (at its bound) as /payload/perpetrator/email",
        Expect.violation("/payload/perpetrator/email", "format", "schema-violation"),
        () -> post(SENDER, "application/json", bounded));
    Map<String, String> shapes = new LinkedHashMap<>();
    shapes.put("/messageId", "0".repeat(65_535));
    shapes.put("/sentAt", "2027-01-13T21:00:00".repeat(3449));
    shapes.put("/caseRef", "a-".repeat(32_767) + "!");
    shapes.put("/area", "E0".repeat(32_767) + "!");
    shapes.put("/subjects/0/ref", "a-".repeat(32_767) + "!");
    shapes.put("/recipients/0", "a-".repeat(32_767) + "!");
    shapes.put("/payload/sessionDate", "2027-01-13".repeat(6553));
    for (Map.Entry<String, String> shape : shapes.entrySet()) {
      ObjectNode m = base();
      if (shape.getKey().startsWith("/recipients")) {
        m.putArray("recipients").add("demo-iss");
      }
      set(m, shape.getKey(), TestMessages.MAPPER.getNodeFactory().textNode(shape.getValue()));
      byte[] body = bytes(m);
      add(
          "expensive",
          "POST "
              + MESSAGES
              + " with a "
              + shape.getValue().length()
              + "-character patterned string as "
              + shape.getKey(),
          Expect.violation(shape.getKey(), "maxLength", "schema-violation"),
          () -> post(SENDER, "application/json", body));
    }
    ObjectNode longType = base();
    longType.put("type", "a-".repeat(32_767) + "!");
    byte[] typeBody = bytes(longType);
    add(
        "expensive",
        "POST " + MESSAGES + " with a 65535-character patterned string as /type",
        Expect.violation("/type", "maxLength", "schema-violation", "unknown-type"),
        () -> post(SENDER, "application/json", typeBody));
  }

  private static final Expect MALFORMED = Expect.of(400, "malformed-json");
  private static final Expect REFUSED_400 =
      Expect.of(400, "malformed-json", "limit-exceeded", "schema-violation", "unknown-type");

  private void brokenUtf8() {
    Map<String, byte[]> seqs = new LinkedHashMap<>();
    seqs.put("0xFF", hex("ff"));
    seqs.put("0xFE", hex("fe"));
    seqs.put("lone continuation 0x80", hex("80"));
    seqs.put("lone continuation 0xBF", hex("bf"));
    seqs.put("overlong '/' C0 AF", hex("c0af"));
    seqs.put("overlong NUL C0 80", hex("c080"));
    seqs.put("overlong 'A' C1 81", hex("c181"));
    seqs.put("overlong 3-byte '/' E0 80 AF", hex("e080af"));
    seqs.put("overlong 4-byte '/' F0 80 80 AF", hex("f08080af"));
    seqs.put("CESU-8 high surrogate ED A0 80", hex("eda080"));
    seqs.put("CESU-8 surrogate pair ED A0 BD ED B2 A9", hex("eda0bdedb2a9"));
    seqs.put("above U+10FFFF F4 90 80 80", hex("f4908080"));
    seqs.put("5-byte lead F8 88 80 80 80", hex("f888808080"));
    seqs.put("truncated 3-byte E2 82", hex("e282"));
    seqs.put("truncated 4-byte F0 9F 98", hex("f09f98"));
    seqs.put("Latin-1 e-acute E9", hex("e9"));
    seqs.put("bad continuation C3 28", hex("c328"));
    for (Map.Entry<String, byte[]> s : seqs.entrySet()) {
      byte[] bad = s.getValue();
      String label = s.getKey();
      for (String field :
          List.of("/legalBasis/justification", "/payload/note", "/caseRef", "/subjects/0/ref")) {
        byte[] raw = concat(ascii("\"Risk to an adult at risk: shared "), bad, ascii(" now\""));
        if (field.equals("/caseRef") || field.equals("/subjects/0/ref")) {
          raw = concat(ascii("\"CASE-"), bad, ascii("-0001\""));
        }
        byte[] body = splice(base(), field, raw);
        add(
            "broken-utf8",
            "POST " + MESSAGES + " with " + label + " inside " + field,
            REFUSED_400,
            () -> post(SENDER, "application/json", body));
      }
      byte[] key =
          splice(baseWithMarkKey("/payload"), null, concat(ascii("\"no"), bad, ascii("te\"")));
      add(
          "broken-utf8",
          "POST " + MESSAGES + " with " + label + " inside a property name in /payload",
          REFUSED_400,
          () -> post(SENDER, "application/json", key));
      byte[] outside =
          concat(ascii("{"), bad, Arrays.copyOfRange(bytes(base()), 1, bytes(base()).length));
      add(
          "broken-utf8",
          "POST " + MESSAGES + " with " + label + " between tokens (after the opening brace)",
          MALFORMED,
          () -> post(SENDER, "application/json", outside));
    }
    byte[] whole = bytes(base());
    byte[] cut = concat(Arrays.copyOf(whole, whole.length - 2), hex("e282"));
    add(
        "broken-utf8",
        "POST " + MESSAGES + " with the body cut inside a multi-byte sequence",
        MALFORMED,
        () -> post(SENDER, "application/json", cut));
  }

  private void loneSurrogates() {
    List<String> escapes =
        List.of(
            "\\ud800",
            "\\udfff",
            "\\ud800\\ud800",
            "\\udc00\\ud800",
            "end \\ud83d",
            "\\ud83d\\u0041",
            "\\uDBFF");
    for (String esc : escapes) {
      for (String field : List.of("/legalBasis/justification", "/payload/note", "/caseRef")) {
        String text =
            field.equals("/caseRef")
                ? "CASE-" + esc + "-0001"
                : "Risk to an adult at risk: shared " + esc + " now";
        byte[] body = splice(base(), field, ascii("\"" + text + "\""));
        add(
            "lone-surrogate",
            "POST " + MESSAGES + " with the JSON escape " + esc + " inside " + field,
            REFUSED_400,
            () -> post(SENDER, "application/json", body));
      }
      byte[] key = splice(baseWithMarkKey("/payload"), null, ascii("\"note" + esc + "\""));
      add(
          "lone-surrogate",
          "POST "
              + MESSAGES
              + " with the JSON escape "
              + esc
              + " inside a property name in /payload",
          REFUSED_400,
          () -> post(SENDER, "application/json", key));
    }
  }

  private void controlCharacters() {
    int[] controls = {0x00, 0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f};
    for (int c : controls) {
      for (String field : List.of("/legalBasis/justification", "/payload/note", "/caseRef")) {
        byte[] raw =
            concat(
                ascii("\"Risk to an adult at risk: a"), new byte[] {(byte) c}, ascii("b shared\""));
        if (field.equals("/caseRef")) {
          raw = concat(ascii("\"CASE-"), new byte[] {(byte) c}, ascii("-0001\""));
        }
        byte[] body = splice(base(), field, raw);
        add(
            "control-char",
            String.format(
                "POST %s with a raw (unescaped) 0x%02x byte inside %s", MESSAGES, c, field),
            REFUSED_400,
            () -> post(SENDER, "application/json", body));
      }
    }
    // escaped control characters are legal JSON: refused where a pattern applies
    for (String esc :
        List.of("\\u0000", "\\u001b[31m", "\\u0007", "\\u202e", "\\u0085", "\\u2028")) {
      for (String field : List.of("/caseRef", "/messageId", "/type", "/area", "/subjects/0/ref")) {
        byte[] body =
            splice(
                base(),
                field,
                ascii(
                    "\""
                        + (field.equals("/messageId") ? uuid().substring(0, 30) : "CASE")
                        + esc
                        + "\""));
        add(
            "control-char",
            "POST " + MESSAGES + " with the escape " + esc + " inside " + field,
            Expect.of(400, "schema-violation", "unknown-type"),
            () -> post(SENDER, "application/json", body));
      }
    }
    // ... and NUL bytes where no string is
    byte[] whole = bytes(base());
    byte[] leadingNul = concat(new byte[] {0}, whole);
    add(
        "control-char",
        "POST " + MESSAGES + " with a NUL byte before the document",
        MALFORMED,
        () -> post(SENDER, "application/json", leadingNul));
    byte[] trailingNul = concat(whole, new byte[] {0});
    add(
        "control-char",
        "POST " + MESSAGES + " with a NUL byte after the document",
        MALFORMED,
        () -> post(SENDER, "application/json", trailingNul));
    byte[] nuls = new byte[1024];
    add(
        "control-char",
        "POST " + MESSAGES + " whose body is 1024 NUL bytes",
        MALFORMED,
        () -> post(SENDER, "application/json", nuls));
    byte[] midNul =
        concat(
            Arrays.copyOf(whole, 20), new byte[] {0}, Arrays.copyOfRange(whole, 20, whole.length));
    add(
        "control-char",
        "POST " + MESSAGES + " with a NUL byte at offset 20",
        MALFORMED,
        () -> post(SENDER, "application/json", midNul));
  }

  private void hugeNumbers() {
    List<String> numbers =
        new ArrayList<>(
            List.of(
                "1e999999",
                "1e999999999",
                "-1e999999999",
                "1e-999999999",
                "1E400",
                "-1E400",
                "1e+2147483648",
                "9".repeat(400),
                "-" + "9".repeat(400),
                "1" + "0".repeat(40),
                "0." + "0".repeat(398) + "1",
                "-0",
                "-0.0",
                "0.0e0",
                "NaN",
                "Infinity",
                "-Infinity",
                "+1",
                "01",
                "1.",
                ".5",
                "0x10",
                "1e",
                "--1",
                "1_000",
                "9223372036854775808",
                "-9223372036854775809",
                "18446744073709551616",
                "1.5",
                "4.9e-324",
                "1.7976931348623157e309"));
    for (String num : numbers) {
      for (String field : List.of("/schemaVersion", "/payload/programmeWeek", "/caseRef")) {
        byte[] body = splice(base(), field, ascii(num));
        add(
            "huge-number",
            "POST " + MESSAGES + " with " + abbreviate(num) + " as " + field,
            REFUSED_400,
            () -> post(SENDER, "application/json", body));
      }
    }
  }

  private void deepNesting() {
    for (int depth : new int[] {65, 100, 1000, 10_000}) {
      for (boolean arrays : new boolean[] {true, false}) {
        String shape = arrays ? "arrays" : "objects";
        String nested = nest(depth, arrays);
        byte[] root = ascii(nested);
        add(
            "deep-nesting",
            "POST " + MESSAGES + " whose body is " + depth + " nested " + shape,
            Expect.of(400, "limit-exceeded"),
            () -> post(SENDER, "application/json", root));
        for (String field : List.of("/payload/note", "/legalBasis/justification")) {
          byte[] body = splice(base(), field, ascii(nested));
          add(
              "deep-nesting",
              "POST " + MESSAGES + " with " + depth + " nested " + shape + " as " + field,
              Expect.of(400, "limit-exceeded"),
              () -> post(SENDER, "application/json", body));
        }
      }
    }
    byte[] unclosedArrays = ascii("[".repeat(10_000));
    add(
        "deep-nesting",
        "POST " + MESSAGES + " whose body is 10000 '[' never closed",
        Expect.of(400, "limit-exceeded", "malformed-json"),
        () -> post(SENDER, "application/json", unclosedArrays));
    byte[] unclosedObjects = ascii("{\"a\":".repeat(10_000));
    add(
        "deep-nesting",
        "POST " + MESSAGES + " whose body is 10000 '{\"a\":' never closed",
        Expect.of(400, "limit-exceeded", "malformed-json"),
        () -> post(SENDER, "application/json", unclosedObjects));
    StringBuilder mixed = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      mixed.append(i % 2 == 0 ? "[{\"a\":" : "");
    }
    byte[] mixedBody = ascii(mixed.toString());
    add(
        "deep-nesting",
        "POST " + MESSAGES + " whose body is 5000 alternating '[{\"a\":' never closed",
        Expect.of(400, "limit-exceeded", "malformed-json"),
        () -> post(SENDER, "application/json", mixedBody));
    // exactly at the parser's limit the document parses, and the schema refuses it
    byte[] atLimit = splice(base(), "/payload/note", ascii(nest(62, true)));
    add(
        "deep-nesting",
        "POST " + MESSAGES + " with 64-deep nesting in total (at the limit) in /payload/note",
        Expect.of(400, "schema-violation"),
        () -> post(SENDER, "application/json", atLimit));
  }

  private void duplicateKeys() {
    ObjectNode b = base();
    List<String> top =
        List.of(
            "messageId",
            "type",
            "schemaVersion",
            "caseRef",
            "area",
            "sentAt",
            "priority",
            "legalBasis",
            "subjects",
            "payload");
    for (String k : top) {
      byte[] same = duplicate(base(), "", k, null);
      add(
          "duplicate-key",
          "POST " + MESSAGES + " with top-level '" + k + "' twice (same value)",
          Expect.of(400, "malformed-json"),
          () -> post(SENDER, "application/json", same));
      byte[] other = duplicate(base(), "", k, otherValue(k));
      add(
          "duplicate-key",
          "POST "
              + MESSAGES
              + " with top-level '"
              + k
              + "' twice (second value "
              + abbreviate(otherValue(k))
              + ")",
          Expect.of(400, "malformed-json"),
          () -> post(SENDER, "application/json", other));
    }
    Map<String, String> nested = new LinkedHashMap<>();
    nested.put("/legalBasis|basis", "\"consent\"");
    nested.put("/legalBasis|justification", "\"x\"");
    nested.put("/subjects/0|ref", "\"SUBJ-V-9999\"");
    nested.put("/subjects/0|role", "\"child\"");
    nested.put("/payload|status", "\"missed\"");
    nested.put("/payload|note", "\"second note\"");
    nested.put("/payload|programmeWeek", "7");
    for (Map.Entry<String, String> n : nested.entrySet()) {
      String[] pk = n.getKey().split("\\|", -1);
      byte[] body = duplicate(base(), pk[0], pk[1], n.getValue());
      add(
          "duplicate-key",
          "POST " + MESSAGES + " with '" + pk[1] + "' twice in " + pk[0],
          Expect.of(400, "malformed-json"),
          () -> post(SENDER, "application/json", body));
    }
    // the same name spelled with an escape is still the same name
    byte[] escaped =
        concat(
            Arrays.copyOf(bytes(b), bytes(b).length - 1), ascii(",\"\\u0074ype\":\"referral\"}"));
    add(
        "duplicate-key",
        "POST " + MESSAGES + " with 'type' and '\\u0074ype' (the same name, escaped)",
        Expect.of(400, "malformed-json"),
        () -> post(SENDER, "application/json", escaped));
    byte[] caseVariant =
        concat(
            Arrays.copyOf(bytes(base()), bytes(base()).length - 1),
            ascii(",\"Type\":\"referral\"}"));
    add(
        "duplicate-key",
        "POST " + MESSAGES + " with 'type' and 'Type'",
        Expect.of(400, "schema-violation"),
        () -> post(SENDER, "application/json", caseVariant));
    byte[] deep = splice(base(), "/payload/note", ascii("{\"a\":{\"b\":{\"c\":1,\"c\":2}}}"));
    add(
        "duplicate-key",
        "POST " + MESSAGES + " with a duplicate three levels down in /payload/note",
        Expect.of(400, "malformed-json"),
        () -> post(SENDER, "application/json", deep));
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i < 1000; i++) {
      many.append("\"k\":").append(i).append(',');
    }
    many.append("\"k\":0}");
    byte[] thousand = ascii(many.toString());
    add(
        "duplicate-key",
        "POST " + MESSAGES + " whose body repeats one key 1001 times",
        Expect.of(400, "malformed-json"),
        () -> post(SENDER, "application/json", thousand));
  }

  private void wrongTypes() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("/messageId", "string");
    fields.put("/type", "string");
    fields.put("/schemaVersion", "integer");
    fields.put("/caseRef", "string");
    fields.put("/area", "string");
    fields.put("/sentAt", "string");
    fields.put("/priority", "string");
    fields.put("/recipients", "array");
    fields.put("/legalBasis", "object");
    fields.put("/legalBasis/basis", "string");
    fields.put("/legalBasis/justification", "string");
    fields.put("/subjects", "array");
    fields.put("/subjects/0", "object");
    fields.put("/subjects/0/ref", "string");
    fields.put("/subjects/0/role", "string");
    fields.put("/payload", "object");
    fields.put("/payload/programmeWeek", "integer");
    fields.put("/payload/status", "string");
    fields.put("/payload/note", "string");
    Map<String, String> values = new LinkedHashMap<>();
    values.put("null", "null");
    values.put("true", "boolean");
    values.put("false", "boolean");
    values.put("0", "integer");
    values.put("-1", "integer");
    values.put("1.5", "number");
    values.put("\"1\"", "string");
    values.put("\"\"", "string");
    values.put("[]", "array");
    values.put("[null]", "array");
    values.put("{}", "object");
    values.put("{\"a\":1}", "object");
    for (Map.Entry<String, String> f : fields.entrySet()) {
      for (Map.Entry<String, String> v : values.entrySet()) {
        if (v.getValue().equals(f.getValue())) {
          continue;
        }
        byte[] body = splice(base(), f.getKey(), ascii(v.getKey()));
        add(
            "wrong-type",
            "POST "
                + MESSAGES
                + " with "
                + v.getKey()
                + " as "
                + f.getKey()
                + " (a "
                + f.getValue()
                + ")",
            Expect.of(400, "schema-violation", "unknown-type"),
            () -> post(SENDER, "application/json", body));
      }
    }
    for (String required :
        List.of(
            "messageId",
            "type",
            "schemaVersion",
            "caseRef",
            "area",
            "sentAt",
            "priority",
            "legalBasis",
            "subjects",
            "payload")) {
      ObjectNode m = base();
      m.remove(required);
      byte[] body = bytes(m);
      add(
          "wrong-type",
          "POST " + MESSAGES + " without '" + required + "'",
          Expect.of(400, "schema-violation", "unknown-type"),
          () -> post(SENDER, "application/json", body));
    }
    for (String root : List.of("[]", "\"message\"", "1", "null", "true", "[{}]", "\"\"", "{}")) {
      byte[] body = ascii(root);
      add(
          "wrong-type",
          "POST " + MESSAGES + " whose whole body is " + root,
          REFUSED_400,
          () -> post(SENDER, "application/json", body));
    }
    add(
        "wrong-type",
        "POST " + MESSAGES + " with an empty body",
        MALFORMED,
        () -> post(SENDER, "application/json", new byte[0]));
    add(
        "wrong-type",
        "POST " + MESSAGES + " whose body is only whitespace",
        MALFORMED,
        () -> post(SENDER, "application/json", ascii(" \r\n\t ")));
    byte[] twoDocs = concat(bytes(base()), bytes(base()));
    add(
        "wrong-type",
        "POST " + MESSAGES + " with two documents back to back",
        MALFORMED,
        () -> post(SENDER, "application/json", twoDocs));
  }

  private void oversize() {
    String big = "A".repeat(70 * 1024);
    for (String field :
        List.of(
            "/caseRef",
            "/legalBasis/justification",
            "/payload/note",
            "/messageId",
            "/type",
            "/subjects/0/ref")) {
      byte[] body = splice(base(), field, ascii("\"" + big + "\""));
      add(
          "oversize",
          "POST " + MESSAGES + " with a 70 KiB string as " + field,
          Expect.of(400, "limit-exceeded"),
          () -> post(SENDER, "application/json", body));
    }
    byte[] longKey = splice(baseWithMarkKey("/payload"), null, ascii("\"" + big + "\""));
    add(
        "oversize",
        "POST " + MESSAGES + " with a 70 KiB property name in /payload",
        Expect.of(400, "limit-exceeded"),
        () -> post(SENDER, "application/json", longKey));
    byte[] keyJustOver =
        splice(baseWithMarkKey("/payload"), null, ascii("\"" + "k".repeat(257) + "\""));
    add(
        "oversize",
        "POST " + MESSAGES + " with a 257-character property name in /payload",
        Expect.of(400, "limit-exceeded"),
        () -> post(SENDER, "application/json", keyJustOver));
    for (int size :
        new int[] {
          HUB_BODY_LIMIT - 1, HUB_BODY_LIMIT, HUB_BODY_LIMIT + 1, 300 * 1024, 1536 * 1024
        }) {
      byte[] body = padded(size);
      Expect e =
          size > HUB_BODY_LIMIT
              ? Expect.of(413, "payload-too-large")
              : Expect.of(400, "schema-violation", "limit-exceeded");
      add(
          "oversize",
          "POST " + MESSAGES + " with a " + size + "-byte body",
          e,
          () -> post(SENDER, "application/json", body));
    }
    // above Vert.x's own limit (quarkus.http.limits.max-body-size=5M): the server may answer and
    // close mid-upload
    byte[] threeMiB = padded(6 * 1024 * 1024);
    add(
        "oversize",
        "POST " + MESSAGES + " with a 6 MiB body (over the HTTP server's 5M limit), raw socket",
        Expect.serverLevel(413),
        () ->
            raw(
                rawRequest("POST", MESSAGES, token(SENDER), "application/json", threeMiB, true),
                false));
    byte[] chunked300 = padded(300 * 1024);
    add(
        "oversize",
        "POST " + MESSAGES + " with a 300 KiB body sent chunked (no Content-Length)",
        Expect.of(413, "payload-too-large"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .POST(chunked(chunked300))));
    byte[] chunked3m = padded(6 * 1024 * 1024);
    add(
        "oversize",
        "POST " + MESSAGES + " with a 6 MiB body sent chunked (over the HTTP server's 5M limit)",
        Expect.serverLevel(413),
        () ->
            sendIsolated(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .POST(chunked(chunked3m))));
    // arrays of 10k items
    ObjectNode recips = base();
    ArrayNode r = recips.putArray("recipients");
    for (int i = 0; i < 10_000; i++) {
      r.add("demo-iss");
    }
    addSized("oversize", "POST " + MESSAGES + " with 10000 recipients", bytes(recips));
    ObjectNode subjects = base();
    ArrayNode s = subjects.putArray("subjects");
    for (int i = 0; i < 10_000; i++) {
      s.addObject().put("ref", "SUBJ-V-" + i).put("role", "victim");
    }
    addSized("oversize", "POST " + MESSAGES + " with 10000 subjects", bytes(subjects));
    ObjectNode numbers = base();
    ArrayNode nums = ((ObjectNode) numbers.get("payload")).putArray("note");
    for (int i = 0; i < 10_000; i++) {
      nums.add(i);
    }
    addSized(
        "oversize",
        "POST " + MESSAGES + " with an array of 10000 numbers as /payload/note",
        bytes(numbers));
    ObjectNode keys = base();
    ObjectNode payload = (ObjectNode) keys.get("payload");
    for (int i = 0; i < 10_000; i++) {
      payload.put("k" + i, i);
    }
    addSized("oversize", "POST " + MESSAGES + " with 10000 properties in /payload", bytes(keys));
    ObjectNode strings = base();
    ArrayNode strs = ((ObjectNode) strings.get("payload")).putArray("note");
    for (int i = 0; i < 10_000; i++) {
      strs.add("x".repeat(40));
    }
    addSized(
        "oversize",
        "POST " + MESSAGES + " with an array of 10000 40-character strings as /payload/note",
        bytes(strings));
    StringBuilder zeros = new StringBuilder("[0");
    for (int i = 1; i < 100_000; i++) {
      zeros.append(",0");
    }
    addSized(
        "oversize",
        "POST " + MESSAGES + " whose body is an array of 100000 zeros",
        ascii(zeros.append(']').toString()));
  }

  private void addSized(String category, String label, byte[] body) {
    Expect e =
        body.length > HUB_BODY_LIMIT
            ? Expect.of(413, "payload-too-large")
            : Expect.of(400, "schema-violation", "limit-exceeded");
    add(
        category,
        label + " (" + body.length + " bytes)",
        e,
        () -> post(SENDER, "application/json", body));
  }

  private static final List<String> INJECTIONS =
      List.of(
          "' OR 1=1--",
          "'; DROP TABLE receipt;--",
          "\" OR \"\"=\"",
          "1; SELECT pg_sleep(20)--",
          "<script>alert(1)</script>",
          "<img src=x onerror=alert(1)>",
          "{{7*7}}",
          "${7*7}",
          "#{7*7}",
          "${jndi:ldap://x}",
          "${jndi:ldap://127.0.0.1:1/a}",
          "../../../../etc/passwd",
          "..\\..\\..\\windows\\win.ini",
          "%2e%2e%2f%2e%2e%2f",
          "line\r\nX-Injected: 1",
          "\r\n\r\nHTTP/1.1 200 OK\r\n",
          "{\"$gt\":\"\"}",
          "`id`",
          "$(id)",
          "| cat /etc/passwd");

  private void injection() {
    List<String> fields =
        List.of(
            "/messageId",
            "/type",
            "/caseRef",
            "/area",
            "/sentAt",
            "/priority",
            "/recipients/0",
            "/legalBasis/basis",
            "/subjects/0/ref",
            "/subjects/0/role",
            "/payload/status",
            "/payload/sessionDate",
            "/payload/sessionType");
    for (String inj : INJECTIONS) {
      for (String field : fields) {
        ObjectNode m = base();
        if (field.startsWith("/recipients")) {
          m.putArray("recipients").add("demo-iss");
        }
        set(m, field, TestMessages.MAPPER.getNodeFactory().textNode(inj));
        byte[] body = bytes(m);
        add(
            "injection",
            "POST " + MESSAGES + " with " + quote(inj) + " as " + field,
            Expect.of(400, "schema-violation", "unknown-type"),
            () -> post(SENDER, "application/json", body));
      }
      ObjectNode k = base();
      ((ObjectNode) k.get("payload")).put(inj, "x");
      byte[] keyBody = bytes(k);
      add(
          "injection",
          "POST " + MESSAGES + " with " + quote(inj) + " as a property name in /payload",
          Expect.of(400, "schema-violation"),
          () -> post(SENDER, "application/json", keyBody));
      ObjectNode t = base();
      t.put(inj, "x");
      byte[] topBody = bytes(t);
      add(
          "injection",
          "POST " + MESSAGES + " with " + quote(inj) + " as a top-level property name",
          Expect.of(400, "schema-violation"),
          () -> post(SENDER, "application/json", topBody));
    }
    // free text may say anything: these are the deliberate controls, accepted (202) and later
    // delivered
    for (int i = 0; i < INJECTIONS.size(); i += 2) {
      String inj = INJECTIONS.get(i);
      ObjectNode m = base();
      String field = i % 4 == 0 ? "/legalBasis/justification" : "/payload/note";
      set(
          m,
          field,
          TestMessages.MAPPER
              .getNodeFactory()
              .textNode("Risk to an adult at risk, quoted verbatim: " + inj));
      byte[] body = bytes(m);
      String id = m.get("messageId").asText();
      add(
          "injection-control",
          "POST " + MESSAGES + " (valid control) with " + quote(inj) + " in free text " + field,
          Expect.of(202),
          () -> controlPost(id, body));
    }
  }

  private void unknownTypesAndVersions() {
    List<String> types =
        List.of(
            "unknown-type",
            "envelope",
            "examples",
            "config-schemas",
            "referral-v2",
            "Referral",
            "REFERRAL",
            "referral ",
            " referral",
            "a".repeat(64),
            "a".repeat(65),
            "x",
            "referral/../attendance",
            "..",
            "consent-change");
    for (String type : types) {
      ObjectNode m = base();
      m.put("type", type);
      byte[] body = bytes(m);
      add(
          "unknown-type",
          "POST " + MESSAGES + " with type " + quote(abbreviate(type)),
          Expect.of(400, "unknown-type", "schema-violation"),
          () -> post(SENDER, "application/json", body));
    }
    for (long v : new long[] {0, 2, 3, 999, 1000, 1001, -1, 2147483648L, Long.MAX_VALUE}) {
      ObjectNode m = base();
      m.put("schemaVersion", v);
      byte[] body = bytes(m);
      add(
          "unknown-version",
          "POST " + MESSAGES + " with schemaVersion " + v,
          Expect.of(400, "unknown-type", "schema-violation"),
          () -> post(SENDER, "application/json", body));
    }
  }

  private void headerTricks() {
    // media types
    Map<String, Expect> mediaTypes = new LinkedHashMap<>();
    mediaTypes.put("text/plain", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/xml", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/x-www-form-urlencoded", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("multipart/form-data; boundary=x", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/jsonx", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/json-patch+json", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/problem+json", Expect.of(415, "unsupported-media-type"));
    mediaTypes.put("application/json; charset=utf-16", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("application/json; charset=utf-32be", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("application/json; charset=x-no-such-charset", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("application/json, text/plain", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("application/json; boundary=\"", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("*/*", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("application/*", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put("json", Expect.oneOf(Set.of(400, 415)));
    mediaTypes.put(";;;", Expect.oneOf(Set.of(400, 415)));
    for (Map.Entry<String, Expect> mt : mediaTypes.entrySet()) {
      byte[] body = bytes(base());
      add(
          "header",
          "POST " + MESSAGES + " with a valid UTF-8 body and 'Content-Type: " + mt.getKey() + "'",
          mt.getValue(),
          () -> post(SENDER, mt.getKey(), body));
    }
    byte[] noType = bytes(base());
    add(
        "header",
        "POST " + MESSAGES + " with a valid body and no Content-Type",
        Expect.of(415, "unsupported-media-type"),
        () -> post(SENDER, null, noType));
    byte[] emptyType = bytes(base());
    add(
        "header",
        "POST " + MESSAGES + " with a valid body and an empty Content-Type",
        Expect.oneOf(Set.of(400, 415)),
        () -> post(SENDER, "", emptyType));
    // other encodings of the same JSON text: RFC 8259 section 8.1 says UTF-8
    for (String cs : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32BE", "UTF-32LE")) {
      for (String label :
          List.of("application/json", "application/json; charset=" + cs.toLowerCase(Locale.ROOT))) {
        byte[] body = TestMessages.json(base()).getBytes(Charset.forName(cs));
        add(
            "header",
            "POST "
                + MESSAGES
                + " with a valid message encoded as "
                + cs
                + " and 'Content-Type: "
                + label
                + "'",
            Expect.oneOf(Set.of(400, 415)),
            () -> post(SENDER, label, body));
      }
    }
    // conflicting duplicate Content-Type headers
    byte[] dup1 = bytes(base());
    add(
        "header",
        "POST "
            + MESSAGES
            + " with a valid body and two Content-Type headers: text/plain, then application/json",
        Expect.oneOf(Set.of(400, 415)),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "text/plain")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(dup1))));
    byte[] dup2 = bytes(base());
    add(
        "header",
        "POST "
            + MESSAGES
            + " with a valid body and two Content-Type headers: application/json, then text/plain",
        Expect.oneOf(Set.of(400, 415)),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(dup2))));
    // big headers
    byte[] invalid = ascii("{\"messageId\":");
    String pad16 = "p".repeat(16 * 1024);
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and a 16 KiB X-Pad header",
        Expect.oneOf(Set.of(400, 431), "malformed-json"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("X-Pad", pad16)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(invalid))));
    String pad64 = "p".repeat(64 * 1024);
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and a 64 KiB X-Pad header",
        Expect.oneOf(Set.of(400, 431), "malformed-json").orClose(),
        () ->
            sendIsolated(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("X-Pad", pad64)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(invalid))));
    add(
        "header",
        "POST " + MESSAGES + " with a 16 KiB garbage bearer token",
        Expect.oneOf(Set.of(401, 431), "unauthenticated"),
        () ->
            send(
                HttpRequest.newBuilder(uri(MESSAGES))
                    .timeout(PER_REQUEST)
                    .header("Authorization", "Bearer " + "A".repeat(16 * 1024))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(base())))));
    add(
        "header",
        "POST " + MESSAGES + " with an 8 KiB garbage bearer token",
        Expect.oneOf(Set.of(401, 431), "unauthenticated"),
        () ->
            send(
                HttpRequest.newBuilder(uri(MESSAGES))
                    .timeout(PER_REQUEST)
                    .header("Authorization", "Bearer " + "A".repeat(8 * 1024))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(base())))));
    add(
        "header",
        "GET " + INBOX + " with a 16 KiB garbage bearer token, raw socket",
        Expect.oneOf(Set.of(401, 431), "unauthenticated"),
        () -> raw(rawRequest("GET", INBOX, "A".repeat(16 * 1024), null, null, true), false));
    add(
        "header",
        "GET "
            + INBOX
            + " with a 16 KiB bearer token made of dots and letters (JWT-shaped), raw socket",
        Expect.oneOf(Set.of(401, 431), "unauthenticated"),
        () ->
            raw(
                rawRequest(
                    "GET",
                    INBOX,
                    "A".repeat(5000) + "." + "B".repeat(6000) + "." + "C".repeat(5384),
                    null,
                    null,
                    true),
                false));
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and 300 extra headers",
        Expect.oneOf(Set.of(400, 431), "malformed-json").orClose(),
        () -> {
          HttpRequest.Builder b =
              request(MESSAGES, SENDER).header("Content-Type", "application/json");
          for (int i = 0; i < 300; i++) {
            b.header("X-Extra-" + i, "v".repeat(40));
          }
          return sendIsolated(b.POST(HttpRequest.BodyPublishers.ofByteArray(invalid)));
        });
    // content negotiation
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and 'Accept: text/html'",
        Expect.oneOf(Set.of(400, 406)),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/html")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(invalid))));
    byte[] validForAccept = bytes(base());
    add(
        "header",
        "POST " + MESSAGES + " with a valid body and 'Accept: application/xml'",
        Expect.of(406, "not-acceptable"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/xml")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(validForAccept))));
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and 'X-HTTP-Method-Override: DELETE'",
        Expect.of(400, "malformed-json"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("X-HTTP-Method-Override", "DELETE")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(invalid))));
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body and 'X-Forwarded-For: 127.0.0.1, evil'",
        Expect.of(400, "malformed-json"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .header("X-Forwarded-For", "127.0.0.1, evil")
                    .header("Forwarded", "for=evil;host=evil")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(invalid))));
    // chunked bodies (the JDK client sends Transfer-Encoding: chunked for a body of unknown length)
    add(
        "header",
        "POST " + MESSAGES + " with a malformed body sent chunked",
        Expect.of(400, "malformed-json"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .POST(chunked(invalid))));
    byte[] dupChunked = duplicate(base(), "", "type", "\"referral\"");
    add(
        "header",
        "POST " + MESSAGES + " with a duplicate key, sent chunked",
        Expect.of(400, "malformed-json"),
        () ->
            send(
                request(MESSAGES, SENDER)
                    .header("Content-Type", "application/json")
                    .POST(chunked(dupChunked))));
    // wrong methods
    for (String method : List.of("PUT", "DELETE", "PATCH", "GET")) {
      add(
          "method",
          method + " " + MESSAGES,
          Expect.of(405, "method-not-allowed"),
          () ->
              send(
                  request(MESSAGES, SENDER)
                      .header("Content-Type", "application/json")
                      .method(
                          method,
                          method.equals("GET") || method.equals("DELETE")
                              ? HttpRequest.BodyPublishers.noBody()
                              : HttpRequest.BodyPublishers.ofByteArray(invalid))));
    }
  }

  private void framingTricks() {
    String auth = token(SENDER);
    byte[] valid = bytes(base());
    byte[] invalid = ascii("{\"messageId\": 1, \"x\": \"" + "y".repeat(64) + "\"");
    // Content-Length shorter than the body: the hub reads a truncated document; the rest is a bogus
    // next request
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with Content-Length 20 but a "
            + valid.length
            + "-byte body (remainder looks like a second request)",
        Expect.of(400, "malformed-json").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head("POST", MESSAGES, auth, "application/json", "Content-Length: 20", false),
                    valid),
                false));
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with Content-Length 20 and a body that smuggles 'GET /api/v1/admin/agencies' after it",
        Expect.of(400, "schema-violation").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head("POST", MESSAGES, auth, "application/json", "Content-Length: 20", false),
                    ascii("{\"messageId\":\"x\"}   "),
                    ascii(
                        "GET /api/v1/admin/agencies HTTP/1.1\r\nHost: "
                            + host
                            + "\r\nAuthorization: Bearer "
                            + auth
                            + "\r\nConnection: close\r\n\r\n")),
                false));
    // Content-Length longer than the body, then we stop sending
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with Content-Length "
            + (valid.length + 100)
            + " but "
            + valid.length
            + " bytes, then half-close",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Length: " + (valid.length + 100),
                        true),
                    valid),
                true));
    add(
        "framing",
        "POST " + MESSAGES + " with two different Content-Length headers",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Length: " + invalid.length + "\r\nContent-Length: 5",
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with two identical Content-Length headers and a malformed body",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Length: "
                            + invalid.length
                            + "\r\nContent-Length: "
                            + invalid.length,
                        true),
                    invalid),
                false));
    for (String cl : List.of("-1", "99999999999999999999", "abc", "0x10", "1 2", "+5")) {
      add(
          "framing",
          "POST " + MESSAGES + " with 'Content-Length: " + cl + "'",
          Expect.oneOf(Set.of(400, 413)).orClose(),
          () ->
              raw(
                  RawHttp.concat(
                      head(
                          "POST",
                          MESSAGES,
                          auth,
                          "application/json",
                          "Content-Length: " + cl,
                          true),
                      invalid),
                  true));
    }
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with both Content-Length and Transfer-Encoding: chunked (malformed JSON in the chunks)",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Length: 4\r\nTransfer-Encoding: chunked",
                        true),
                    chunk(invalid),
                    ascii("0\r\n\r\n")),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with a chunk size that is not hex ('zz')",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: chunked",
                        true),
                    ascii("zz\r\n"),
                    invalid,
                    ascii("\r\n0\r\n\r\n")),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with chunk size ffffffffffffffff",
        Expect.oneOf(Set.of(400, 413)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: chunked",
                        true),
                    ascii("ffffffffffffffff\r\n"),
                    invalid),
                true));
    add(
        "framing",
        "POST " + MESSAGES + " chunked without the final zero-length chunk, then half-close",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: chunked",
                        true),
                    chunk(invalid)),
                true));
    add(
        "framing",
        "POST " + MESSAGES + " chunked with chunk extensions and a trailer",
        Expect.of(400, "malformed-json"),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: chunked",
                        true),
                    ascii(Integer.toHexString(invalid.length) + ";name=value;x=\"y\"\r\n"),
                    invalid,
                    ascii("\r\n0\r\nX-Trailer: 1\r\n\r\n")),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Transfer-Encoding: gzip, chunked' and plain chunks",
        Expect.oneOf(Set.of(400, 415)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: gzip, chunked",
                        true),
                    chunk(invalid),
                    ascii("0\r\n\r\n")),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Transfer-Encoding: identity' and a Content-Length",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: identity\r\nContent-Length: " + invalid.length,
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Transfer-Encoding: Chunked ' (odd case and space)",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Transfer-Encoding: Chunked ",
                        true),
                    chunk(invalid),
                    ascii("0\r\n\r\n")),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Content-Encoding: gzip' on a body that is not gzip",
        Expect.oneOf(Set.of(400, 415)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Encoding: gzip\r\nContent-Length: " + invalid.length,
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with a header folded onto two lines (obs-fold)",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "X-Folded: a\r\n b\r\nContent-Length: " + invalid.length,
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with a NUL byte in a header value",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "X-Nul: a\u0000b\r\nContent-Length: " + invalid.length,
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with a space before the colon of a header",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Content-Length : " + invalid.length,
                        true),
                    invalid),
                true));
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with two Content-Type headers (text/plain, application/json) and a valid body",
        Expect.oneOf(Set.of(400, 415)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "text/plain",
                        "Content-Type: application/json\r\nContent-Length: " + valid.length,
                        true),
                    valid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Expect: 100-continue' and a 300 KiB body",
        Expect.oneOf(Set.of(413, 417), "payload-too-large").orClose(),
        () -> {
          byte[] big = padded(300 * 1024);
          return raw(
              RawHttp.concat(
                  head(
                      "POST",
                      MESSAGES,
                      auth,
                      "application/json",
                      "Expect: 100-continue\r\nContent-Length: " + big.length,
                      true),
                  big),
              false);
        });
    add(
        "framing",
        "HTTP/1.0 POST " + MESSAGES + " without a Host header, malformed body",
        Expect.of(400, "malformed-json").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    ascii(
                        "POST "
                            + MESSAGES
                            + " HTTP/1.0\r\nAuthorization: Bearer "
                            + auth
                            + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + invalid.length
                            + "\r\n\r\n"),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with 'Host: evil.example', malformed body",
        Expect.of(400, "malformed-json").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    ascii(
                        "POST "
                            + MESSAGES
                            + " HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer "
                            + auth
                            + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + invalid.length
                            + "\r\nConnection: close\r\n\r\n"),
                    invalid),
                false));
    add(
        "framing",
        "POST in absolute form 'http://evil.example" + MESSAGES + "', malformed body",
        Expect.of(400, "malformed-json").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    ascii(
                        "POST http://evil.example"
                            + MESSAGES
                            + " HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer "
                            + auth
                            + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + invalid.length
                            + "\r\nConnection: close\r\n\r\n"),
                    invalid),
                false));
    add(
        "framing",
        "a request line that is not HTTP ('GARBAGE')",
        Expect.oneOf(Set.of(400)).orClose(),
        () -> raw(ascii("GARBAGE\r\n\r\n"), false));
    add(
        "framing",
        "a request line with a malformed version ('HTTP/1.1x')",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                ascii(
                    "GET "
                        + INBOX
                        + " HTTP/1.1x\r\nHost: "
                        + host
                        + "\r\nConnection: close\r\n\r\n"),
                false));
    add(
        "framing",
        "a request line with a 10 KiB target",
        Expect.oneOf(Set.of(400, 404, 414)).orClose(),
        () ->
            raw(
                ascii(
                    "GET /api/v1/messages/"
                        + "a".repeat(10 * 1024)
                        + "/status HTTP/1.1\r\nHost: "
                        + host
                        + "\r\nAuthorization: Bearer "
                        + auth
                        + "\r\nConnection: close\r\n\r\n"),
                false));
    add(
        "framing",
        "a header name with a space and control character in it",
        Expect.oneOf(Set.of(400)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    head(
                        "POST",
                        MESSAGES,
                        auth,
                        "application/json",
                        "Bad Header\u0001: x\r\nContent-Length: " + invalid.length,
                        true),
                    invalid),
                false));
    add(
        "framing",
        "POST " + MESSAGES + " with a bearer token carrying non-ASCII bytes",
        Expect.oneOf(Set.of(400, 401), "unauthenticated").orClose(),
        () ->
            raw(
                RawHttp.concat(
                    ascii(
                        "POST "
                            + MESSAGES
                            + " HTTP/1.1\r\nHost: "
                            + host
                            + "\r\nAuthorization: Bearer "),
                    hex("c3a9ff00"),
                    ascii(
                        "abc\r\nContent-Type: application/json\r\nContent-Length: "
                            + valid.length
                            + "\r\nConnection: close\r\n\r\n"),
                    valid),
                false));
    add(
        "framing",
        "POST "
            + MESSAGES
            + " with two Authorization headers: garbage first, then a genuine token (valid body)",
        Expect.oneOf(Set.of(400, 401)).orClose(),
        () ->
            raw(
                RawHttp.concat(
                    ascii(
                        "POST "
                            + MESSAGES
                            + " HTTP/1.1\r\nHost: "
                            + host
                            + "\r\nAuthorization: Bearer garbage\r\nAuthorization: Bearer "
                            + auth
                            + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + valid.length
                            + "\r\nConnection: close\r\n\r\n"),
                    valid),
                false));
  }

  private void badTokens() {
    String issuer = Tokens.issuer();
    String genuine = Tokens.forClient(SENDER);
    String other = Tokens.forClient("demo-cs");
    String auditor = Tokens.forClient("demo-auditor");
    ObjectNode gHeader = ForgedTokens.headerOf(genuine);
    ObjectNode gClaims = ForgedTokens.payloadOf(genuine);
    String kid = gHeader.path("kid").asText();
    long now = Instant.now().getEpochSecond();
    ForgedTokens forge = new ForgedTokens(SEED);
    String keycloak = issuer.substring(0, issuer.indexOf("/realms/"));

    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("'Bearer' with nothing after it", "Bearer");
    tokens.put("'Bearer ' and an empty token", "Bearer ");
    tokens.put(
        "Basic credentials (the demo client id and secret)",
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(
                    (SENDER + ":" + SENDER + "-demo-secret").getBytes(StandardCharsets.UTF_8)));
    tokens.put("'Bearer not.a.token'", "Bearer not.a.token");
    tokens.put(
        "three random base64url parts",
        "Bearer "
            + ForgedTokens.b64(randomBytes(30))
            + "."
            + ForgedTokens.b64(randomBytes(60))
            + "."
            + ForgedTokens.b64(randomBytes(256)));
    tokens.put("one random base64url part", "Bearer " + ForgedTokens.b64(randomBytes(120)));
    tokens.put(
        "five parts (JWE-shaped)",
        "Bearer "
            + String.join(
                ".",
                ForgedTokens.b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}"),
                ForgedTokens.b64(randomBytes(256)),
                ForgedTokens.b64(randomBytes(12)),
                ForgedTokens.b64(randomBytes(80)),
                ForgedTokens.b64(randomBytes(16))));
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      ObjectNode h = gHeader.deepCopy();
      h.put("alg", none);
      tokens.put(
          "alg '" + none + "', genuine claims, no signature",
          "Bearer " + ForgedTokens.unsigned(h, gClaims));
    }
    ObjectNode noneHeader = gHeader.deepCopy();
    noneHeader.put("alg", "none");
    tokens.put(
        "alg 'none', genuine claims, the genuine signature kept",
        "Bearer "
            + ForgedTokens.b64(noneHeader)
            + "."
            + ForgedTokens.b64(gClaims)
            + "."
            + ForgedTokens.signatureOf(genuine));
    tokens.put(
        "alg 'none', made-up valid-looking claims, no signature",
        "Bearer "
            + ForgedTokens.unsigned(
                ForgedTokens.header("none"),
                ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    String realmKey = ForgedTokens.realmPublicKey(issuer);
    String pem = "-----BEGIN PUBLIC KEY-----\n" + realmKey + "\n-----END PUBLIC KEY-----\n";
    ObjectNode hs = gHeader.deepCopy();
    hs.put("alg", "HS256");
    tokens.put(
        "HS256 keyed with the realm's public key PEM (key confusion)",
        "Bearer " + ForgedTokens.hs256(hs, gClaims, pem.getBytes(StandardCharsets.US_ASCII)));
    tokens.put(
        "HS256 keyed with the realm's public key base64 text",
        "Bearer " + ForgedTokens.hs256(hs, gClaims, realmKey.getBytes(StandardCharsets.US_ASCII)));
    tokens.put(
        "HS256 keyed with the realm's public key DER bytes",
        "Bearer "
            + ForgedTokens.hs256(hs, gClaims, java.util.Base64.getDecoder().decode(realmKey)));
    tokens.put(
        "genuine header and claims with alg changed to HS256, signature unchanged",
        "Bearer "
            + ForgedTokens.b64(hs)
            + "."
            + ForgedTokens.b64(gClaims)
            + "."
            + ForgedTokens.signatureOf(genuine));
    ObjectNode rsKid = ForgedTokens.header("RS256");
    rsKid.put("kid", kid);
    tokens.put(
        "RS256 signed by the test's own key, the realm's key id, genuine claims (wrong signature)",
        "Bearer " + forge.rs256(rsKid, gClaims));
    tokens.put(
        "RS256 signed by the test's own key, no key id",
        "Bearer "
            + forge.rs256(
                ForgedTokens.header("RS256"),
                ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    ObjectNode unknownKid = ForgedTokens.header("RS256");
    unknownKid.put("kid", "attacker-key-1");
    tokens.put(
        "RS256 signed by the test's own key, an unknown key id",
        "Bearer "
            + forge.rs256(unknownKid, ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    ObjectNode es = ForgedTokens.header("ES256");
    es.put("kid", kid);
    tokens.put(
        "ES256 signed by the test's own EC key, the realm's key id",
        "Bearer " + forge.es256(es, ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    ObjectNode jwk = ForgedTokens.header("RS256");
    jwk.set("jwk", forge.rsaJwk("attacker"));
    jwk.put("kid", "attacker");
    tokens.put(
        "RS256 by the test's own key with that key embedded in the header ('jwk')",
        "Bearer " + forge.rs256(jwk, ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    ObjectNode jku = ForgedTokens.header("RS256");
    jku.put("jku", "http://127.0.0.1:9/certs");
    jku.put("x5u", "http://127.0.0.1:9/cert.pem");
    jku.put("kid", "attacker");
    tokens.put(
        "RS256 by the test's own key pointing 'jku' and 'x5u' at an attacker URL",
        "Bearer " + forge.rs256(jku, ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    ObjectNode crit = rsKid.deepCopy();
    crit.putArray("crit").add("exp");
    tokens.put(
        "RS256 by the test's own key with a 'crit' header",
        "Bearer " + forge.rs256(crit, ForgedTokens.agencyClaims(issuer, SENDER, now, random)));
    // expired
    ObjectNode expired = ForgedTokens.agencyClaims(issuer, SENDER, now, random);
    expired.put("exp", now - 3600);
    expired.put("iat", now - 4500);
    tokens.put(
        "expired an hour ago (signed by the test's own key: Keycloak cannot be made to issue one without its admin API)",
        "Bearer " + forge.rs256(rsKid, expired));
    ObjectNode gExpired = gClaims.deepCopy();
    gExpired.put("exp", now - 60);
    tokens.put(
        "a genuine token with 'exp' moved into the past (signature now broken)",
        "Bearer "
            + ForgedTokens.b64(gHeader)
            + "."
            + ForgedTokens.b64(gExpired)
            + "."
            + ForgedTokens.signatureOf(genuine));
    ObjectNode notYet = ForgedTokens.agencyClaims(issuer, SENDER, now, random);
    notYet.put("nbf", now + 3600);
    tokens.put(
        "'nbf' an hour in the future, test's own key", "Bearer " + forge.rs256(rsKid, notYet));
    // another realm
    tokens.put(
        "issued by another realm (iss .../realms/other-realm, test's own key: the test has no Keycloak admin credentials to create a realm)",
        "Bearer "
            + forge.rs256(
                rsKid,
                ForgedTokens.agencyClaims(keycloak + "/realms/other-realm", SENDER, now, random)));
    ObjectNode master = ForgedTokens.header("RS256");
    master.put("kid", ForgedTokens.realmKid(keycloak + "/realms/master"));
    tokens.put(
        "issued by the master realm (its real key id, test's own key)",
        "Bearer "
            + forge.rs256(
                master,
                ForgedTokens.agencyClaims(keycloak + "/realms/master", SENDER, now, random)));
    ObjectNode gIss = gClaims.deepCopy();
    gIss.put("iss", keycloak + "/realms/master");
    tokens.put(
        "a genuine token with 'iss' rewritten to the master realm (signature now broken)",
        "Bearer "
            + ForgedTokens.b64(gHeader)
            + "."
            + ForgedTokens.b64(gIss)
            + "."
            + ForgedTokens.signatureOf(genuine));
    // another audience
    JsonNode withId = ForgedTokens.tokenResponseWithOpenidScope(issuer, SENDER);
    String idToken = withId.path("id_token").asText(null);
    if (idToken != null) {
      tokens.put(
          "a genuine Keycloak ID token of "
              + SENDER
              + " (aud="
              + ForgedTokens.payloadOf(idToken).path("aud")
              + ", not safehub-hub)",
          "Bearer " + idToken);
    } else {
      System.out.println(
          "HostileInputIT: Keycloak issued no ID token for a client-credentials grant with scope=openid; no genuine other-audience token");
    }
    ObjectNode otherAud = ForgedTokens.agencyClaims(issuer, SENDER, now, random);
    otherAud.put("aud", "account");
    tokens.put("aud 'account' (test's own key)", "Bearer " + forge.rs256(rsKid, otherAud));
    ObjectNode gAud = gClaims.deepCopy();
    gAud.put("aud", "account");
    tokens.put(
        "a genuine token with 'aud' rewritten to 'account' (signature now broken)",
        "Bearer "
            + ForgedTokens.b64(gHeader)
            + "."
            + ForgedTokens.b64(gAud)
            + "."
            + ForgedTokens.signatureOf(genuine));
    // tampered genuine tokens
    ObjectNode gAgency = gClaims.deepCopy();
    gAgency.put("agency", "demo-cs");
    tokens.put(
        "a genuine token with the 'agency' claim changed to demo-cs",
        "Bearer "
            + ForgedTokens.b64(gHeader)
            + "."
            + ForgedTokens.b64(gAgency)
            + "."
            + ForgedTokens.signatureOf(genuine));
    ObjectNode aClaims = ForgedTokens.payloadOf(auditor);
    ((ArrayNode) aClaims.get("realm_access").get("roles")).add("publisher").add("hub-admin");
    tokens.put(
        "demo-auditor's genuine token with publisher and hub-admin added to its roles",
        "Bearer "
            + ForgedTokens.b64(ForgedTokens.headerOf(auditor))
            + "."
            + ForgedTokens.b64(aClaims)
            + "."
            + ForgedTokens.signatureOf(auditor));
    tokens.put(
        "a genuine token with its signature truncated",
        "Bearer " + genuine.substring(0, genuine.length() - 10));
    tokens.put(
        "a genuine token with its signature removed",
        "Bearer " + genuine.substring(0, genuine.lastIndexOf('.') + 1));
    tokens.put(
        "demo-dvpp's claims with demo-cs's signature",
        "Bearer "
            + genuine.substring(0, genuine.lastIndexOf('.') + 1)
            + ForgedTokens.signatureOf(other));
    tokens.put(
        "a genuine token with one signature character flipped", "Bearer " + flipLast(genuine));
    tokens.put(
        "a payload that is not JSON",
        "Bearer "
            + ForgedTokens.b64(rsKid)
            + "."
            + ForgedTokens.b64("hello")
            + "."
            + ForgedTokens.b64(randomBytes(256)));
    tokens.put(
        "a payload that is a JSON array",
        "Bearer " + forge.rs256(rsKid, TestMessages.MAPPER.createArrayNode().add(1)));
    ObjectNode huge = ForgedTokens.agencyClaims(issuer, SENDER, now, random);
    huge.put("pad", "x".repeat(12 * 1024));
    tokens.put("12 KiB of claims (test's own key)", "Bearer " + forge.rs256(rsKid, huge));
    tokens.put("a token with whitespace in it", "Bearer abc def");
    tokens.put("a genuine token followed by junk", "Bearer " + genuine + " junk");
    tokens.put("an empty Authorization header", "");

    for (Map.Entry<String, String> t : tokens.entrySet()) {
      byte[] body = bytes(base());
      add(
          "token",
          "POST " + MESSAGES + " (valid body) with " + t.getKey(),
          Expect.of(401, "unauthenticated"),
          () -> postRaw(t.getValue(), "application/json", body));
      add(
          "token",
          "GET " + INBOX + " with " + t.getKey(),
          Expect.of(401, "unauthenticated"),
          () -> get(INBOX, t.getValue()));
    }
    byte[] noneBody = bytes(base());
    add(
        "token",
        "POST " + MESSAGES + " (valid body) with no Authorization header",
        Expect.of(401, "unauthenticated"),
        () -> postRaw(null, "application/json", noneBody));
    add(
        "token",
        "GET " + INBOX + " with no Authorization header",
        Expect.of(401, "unauthenticated"),
        () -> get(INBOX, null));
  }

  private void hostileQueriesAndIds() {
    Map<String, Expect> afters = new LinkedHashMap<>();
    Expect badParam = Expect.of(400, "invalid-parameter");
    for (String v :
        List.of(
            "abc",
            "-2",
            "1e3",
            "1.5",
            "9223372036854775808",
            "-9223372036854775809",
            "9".repeat(400),
            "NaN",
            "' OR 1=1--",
            "<script>",
            "${jndi:ldap://x}",
            "{{7*7}}",
            "0x10",
            "\u0000",
            "1 OR 1=1",
            "../../etc/passwd",
            "-")) {
      afters.put(v, badParam);
    }
    for (Map.Entry<String, Expect> a : afters.entrySet()) {
      add(
          "query",
          "GET " + INBOX + "?after=" + quote(abbreviate(a.getKey())),
          a.getValue(),
          () -> get(INBOX + "?after=" + enc(a.getKey()), "Bearer " + token(READER)));
    }
    for (String v :
        List.of(
            "0",
            "501",
            "-1",
            "abc",
            "1e2",
            "100000000000",
            "' OR 1=1",
            "1.0",
            "NaN",
            "9".repeat(400),
            " 5",
            "\u0000")) {
      add(
          "query",
          "GET " + INBOX + "?limit=" + quote(abbreviate(v)),
          badParam,
          () -> get(INBOX + "?limit=" + enc(v), "Bearer " + token(READER)));
    }
    // controls: legitimate (if odd) values are answered normally
    for (String q :
        List.of(
            "after=-1&limit=1",
            "limit=500",
            "after=&limit=",
            "after=1000000000000&limit=1",
            "after=9223372036854775806&limit=1",
            "after=9223372036854775807&limit=1",
            "limit=1&limit=abc",
            "unknown=1&limit=1")) {
      add(
          "query-control",
          "GET " + INBOX + "?" + q + " (valid control)",
          Expect.oneOf(Set.of(200, 400)),
          () -> get(INBOX + "?" + q, "Bearer " + token(READER)));
    }
    String longQuery = "?after=" + "1".repeat(3000);
    add(
        "query",
        "GET " + INBOX + " with a 3000-digit 'after'",
        badParam,
        () -> get(INBOX + longQuery, "Bearer " + token(READER)));

    // hostile ids in paths, sent raw so that even invalid percent-encoding goes out as is
    Map<String, Expect> ids = new LinkedHashMap<>();
    Expect badId = Expect.of(400, "invalid-message-id");
    Expect noSuch = Expect.of(404, "not-found");
    Expect either = Expect.oneOf(Set.of(400, 404), "invalid-message-id", "not-found");
    ids.put(enc("' OR 1=1--"), badId);
    ids.put(enc("' OR '1'='1' --                     x"), badId);
    ids.put(enc("<script>alert(1)</script>"), badId);
    ids.put(enc("${jndi:ldap://x}"), badId);
    ids.put(enc("{{7*7}}"), badId);
    ids.put("..%2F..%2F..%2Fetc%2Fpasswd", either);
    ids.put("%2e%2e", either);
    ids.put("%00", badId);
    ids.put("%zz", either);
    ids.put("%", either);
    ids.put("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", badId);
    ids.put("00000000-0000-0000-0000-000000000000", noSuch);
    ids.put(uuid().toUpperCase(Locale.ROOT), noSuch);
    ids.put(enc("{" + uuid() + "}"), badId);
    ids.put(enc(uuid().replace('1', '\uff11')), either);
    ids.put("1-1-1-1-1", badId);
    ids.put("a".repeat(1000), badId);
    ids.put("%E2%80%AE" + uuid().substring(3), badId);
    ids.put("abc;x=1", either);
    ids.put("%0d%0aX-Injected:%201", badId);
    ids.put("%0D%0ASet-Cookie:%20a=1", badId);
    ids.put(uuid() + "%00", badId);
    ids.put(uuid() + "%20", badId);
    for (Map.Entry<String, Expect> id : ids.entrySet()) {
      String status = MESSAGES + "/" + id.getKey() + "/status";
      add(
          "path-id",
          "GET " + abbreviate(status),
          id.getValue(),
          () -> raw(rawRequest("GET", status, token(SENDER), null, null, true), false));
      String ack = INBOX + "/" + id.getKey() + "/ack";
      add(
          "path-id",
          "POST " + abbreviate(ack),
          id.getValue(),
          () -> raw(rawRequest("POST", ack, token(READER), null, new byte[0], true), false));
    }
  }

  // ------------------------------------------------------------------------------------------------
  // messages and bodies

  /** A valid attendance message from the perpetrator programme, with a fresh (seeded) id. */
  private ObjectNode base() {
    ObjectNode m = TestMessages.example("attendance");
    m.put("messageId", uuid());
    m.put("sentAt", "2027-01-13T21:00:00Z");
    ((ObjectNode) m.get("payload")).put("note", "Facilitator note for the session.");
    return m;
  }

  /**
   * {@link #base()} with a property named {@link #MARK} (value "x") in the object at {@code
   * pointer}, for splicing a raw name.
   */
  private ObjectNode baseWithMarkKey(String pointer) {
    ObjectNode m = base();
    ((ObjectNode) m.at(pointer)).put(MARK, "x");
    return m;
  }

  private String uuid() {
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] bytes(JsonNode node) {
    return TestMessages.json(node).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The message with the value at {@code pointer} replaced by raw bytes (which need not be JSON,
   * nor UTF-8). With a null pointer, the property name {@link #MARK} is replaced (see {@link
   * #baseWithMarkKey}).
   */
  private static byte[] splice(ObjectNode msg, String pointer, byte[] raw) {
    ObjectNode m = msg.deepCopy();
    if (pointer != null) {
      set(m, pointer, TestMessages.MAPPER.getNodeFactory().textNode(MARK));
    }
    return replace(bytes(m), ascii("\"" + MARK + "\""), raw);
  }

  private static void set(ObjectNode m, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = slash == 0 ? m : m.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    if (parent instanceof ArrayNode a) {
      a.set(Integer.parseInt(last), value);
    } else {
      ((ObjectNode) parent).set(last, value);
    }
  }

  /**
   * The message with {@code key} repeated in the object at {@code parent} (same value if {@code
   * value} is null).
   */
  private static byte[] duplicate(ObjectNode msg, String parent, String key, String value) {
    ObjectNode m = msg.deepCopy();
    ObjectNode target = (ObjectNode) (parent.isEmpty() ? m : m.at(parent));
    String repeated = value != null ? value : TestMessages.json(target.get(key));
    target.put(MARK, "x");
    return replace(
        bytes(m),
        ascii("\"" + MARK + "\":\"x\""),
        concat(ascii("\"" + key + "\":"), repeated.getBytes(StandardCharsets.UTF_8)));
  }

  private static String otherValue(String key) {
    return switch (key) {
      case "type" -> "\"referral\"";
      case "schemaVersion" -> "2";
      case "messageId" -> "\"11111111-2222-4333-8444-555555555555\"";
      case "caseRef" -> "\"CASE-OTHER-0001\"";
      case "area" -> "\"W06000015\"";
      case "sentAt" -> "\"2030-01-01T00:00:00Z\"";
      case "priority" -> "\"immediate\"";
      case "legalBasis" -> "{\"basis\":\"consent\"}";
      case "subjects" -> "[{\"ref\":\"SUBJ-C-0001\",\"role\":\"child\"}]";
      case "payload" ->
          "{\"sessionDate\":\"2027-01-13\",\"programmeWeek\":1,\"status\":\"missed\"}";
      default -> "null";
    };
  }

  /**
   * A syntactically valid JSON document of exactly {@code size} bytes (the base message with a
   * padded note).
   */
  private byte[] padded(int size) {
    ObjectNode m = base();
    ((ObjectNode) m.get("payload")).put("note", "");
    int overhead = bytes(m).length;
    ((ObjectNode) m.get("payload")).put("note", "n".repeat(Math.max(0, size - overhead)));
    byte[] b = bytes(m);
    assertEquals(size, b.length, "padded body size");
    return b;
  }

  private static String nest(int depth, boolean arrays) {
    return arrays
        ? "[".repeat(depth) + "]".repeat(depth)
        : "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  // ------------------------------------------------------------------------------------------------
  // sending

  private URI uri(String pathAndQuery) {
    return URI.create("http://" + host + ":" + port + pathAndQuery);
  }

  private String token(String client) {
    return dryRun != null ? "dry-run" : Tokens.forClient(client);
  }

  private HttpRequest.Builder request(String path, String client) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(PER_REQUEST)
        .header("Authorization", "Bearer " + token(client));
  }

  private Result post(String client, String contentType, byte[] body) throws Exception {
    return postRaw(client == null ? null : "Bearer " + token(client), contentType, body);
  }

  /** The messageId in the body of the last POST (found textually: the body need not parse). */
  private String lastMessageId;

  private static final Pattern MESSAGE_ID =
      Pattern.compile(
          "\"messageId\":\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"");

  /**
   * For a publish the hub refused with a 5xx: whether it kept the message anyway (the status
   * endpoint knows it).
   */
  private String storedDespiteRefusal(String messageId) throws Exception {
    if (messageId == null) {
      return "";
    }
    Result[] status = new Result[1];
    try {
      // a message the hub kept shows up on the status endpoint shortly after the refusal
      Awaitility.await()
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .atMost(Duration.ofSeconds(2))
          .until(
              () -> {
                status[0] = get(MESSAGES + "/" + messageId + "/status", "Bearer " + token(SENDER));
                return !status[0].answers().isEmpty() && status[0].answers().get(0).status() == 200;
              });
    } catch (ConditionTimeoutException e) {
      // not stored within 2 s
    }
    Result st = status[0];
    if (!st.answers().isEmpty() && st.answers().get(0).status() == 200) {
      return "; YET THE HUB KEPT IT: GET status of "
          + messageId
          + " answers 200 "
          + new String(st.answers().get(0).body(), StandardCharsets.UTF_8);
    }
    return "; not stored (status of "
        + messageId
        + " is "
        + (st.answers().isEmpty() ? "no answer" : st.answers().get(0).status())
        + ")";
  }

  /** POST {@link #MESSAGES} with an exact Authorization header value (null: none). */
  private Result postRaw(String authorization, String contentType, byte[] body) throws Exception {
    if (dryRun != null) {
      dryRun.add(Map.entry(dryRunLabel, body));
      return DRY;
    }
    Matcher id = MESSAGE_ID.matcher(new String(body, StandardCharsets.ISO_8859_1));
    lastMessageId = id.find() ? id.group(1) : null;
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(MESSAGES)).timeout(PER_REQUEST);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private Result controlPost(String messageId, byte[] body) throws Exception {
    Result r = post(SENDER, "application/json", body);
    if (!r.answers().isEmpty() && r.answers().get(0).status() == 202) {
      acceptedControls.add(messageId);
    }
    return r;
  }

  private Result get(String pathAndQuery, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(PER_REQUEST);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b.GET());
  }

  private static HttpRequest.BodyPublisher chunked(byte[] body) {
    return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
  }

  /**
   * Sends on a connection of its own, for requests after which the server may close the connection.
   */
  private Result sendIsolated(HttpRequest.Builder builder) throws Exception {
    HttpClient shared = http;
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    try {
      return send(builder);
    } finally {
      http = shared;
    }
  }

  private Result send(HttpRequest.Builder builder) throws Exception {
    if (dryRun != null) {
      return DRY;
    }
    HttpRequest req = builder.build();
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> f =
        http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
    try {
      HttpResponse<byte[]> r = f.get(PER_REQUEST.toMillis() + 500, TimeUnit.MILLISECONDS);
      Map<String, String> headers = new LinkedHashMap<>();
      r.headers()
          .map()
          .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
      return new Result(
          List.of(new Answer(r.statusCode(), headers, r.body())),
          false,
          false,
          null,
          millis(start));
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Result(List.of(), false, true, "no answer", millis(start));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException) {
        return new Result(List.of(), false, true, cause.toString(), millis(start));
      }
      if (cause instanceof IOException) {
        return new Result(List.of(), true, false, cause.toString(), millis(start));
      }
      throw e;
    }
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private Result raw(byte[] request, boolean halfClose) {
    if (dryRun != null) {
      return DRY;
    }
    RawHttp.Exchange x =
        RawHttp.exchange(host, port, request, halfClose, PER_REQUEST, Duration.ofMillis(1500));
    List<Answer> answers = new ArrayList<>();
    for (RawHttp.Response r : x.responses()) {
      answers.add(new Answer(r.status(), r.headers(), r.body()));
    }
    return new Result(
        answers, answers.isEmpty() && x.closed(), x.hung(), x.writeError(), x.millis());
  }

  /**
   * A request head ending in a blank line; {@code extra} is inserted verbatim (lines joined by
   * CRLF).
   */
  private byte[] head(
      String method,
      String target,
      String bearer,
      String contentType,
      String extra,
      boolean close) {
    StringBuilder h =
        new StringBuilder(
            method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n");
    if (bearer != null) {
      h.append("Authorization: Bearer ").append(bearer).append("\r\n");
    }
    if (contentType != null) {
      h.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (extra != null) {
      h.append(extra).append("\r\n");
    }
    if (close) {
      h.append("Connection: close\r\n");
    }
    return ascii(h.append("\r\n").toString());
  }

  private byte[] rawRequest(
      String method, String target, String bearer, String contentType, byte[] body, boolean close) {
    String cl = body == null ? null : "Content-Length: " + body.length;
    return RawHttp.concat(
        head(method, target, bearer, contentType, cl, close), body == null ? new byte[0] : body);
  }

  private static byte[] chunk(byte[] data) {
    return RawHttp.concat(ascii(Integer.toHexString(data.length) + "\r\n"), data, ascii("\r\n"));
  }

  // ------------------------------------------------------------------------------------------------
  // after the corpus

  /**
   * Waits until every message has all its recipients delivered; returns those that are not (id ->
   * recipient states).
   */
  private Map<String, String> awaitDelivered(List<String> messageIds, Duration within)
      throws Exception {
    Map<String, String> pending = new LinkedHashMap<>();
    for (String id : messageIds) {
      pending.put(id, "?");
    }
    try {
      Awaitility.await()
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(500))
          .atMost(within)
          .until(
              () -> {
                for (String id : new ArrayList<>(pending.keySet())) {
                  Result r = get(MESSAGES + "/" + id + "/status", "Bearer " + token(SENDER));
                  JsonNode st = r.answers().isEmpty() ? null : json(r.answers().get(0).body());
                  boolean done = st != null && st.path("recipients").size() > 0;
                  StringBuilder states = new StringBuilder();
                  if (st != null) {
                    for (JsonNode rec : st.path("recipients")) {
                      done &= "delivered".equals(rec.path("state").asText());
                      states
                          .append(rec.path("agency").asText())
                          .append('=')
                          .append(rec.path("state").asText())
                          .append(' ');
                    }
                  }
                  if (done) {
                    pending.remove(id);
                  } else {
                    pending.put(id, st == null ? describe(r) : states.toString().trim());
                  }
                }
                return pending.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      // the caller reports what is still pending
    }
    return pending;
  }

  /**
   * Refusal events in the audit log between the two instants, by "status problem-code", read
   * through the auditor's API.
   */
  private Map<String, Integer> auditedRefusals(Instant from, Instant to) throws Exception {
    Map<String, Integer> out = new TreeMap<>();
    for (String action :
        List.of("auth-denied", "forbidden", "publish-rejected", "request-refused")) {
      String after = null;
      while (true) {
        String q =
            "/api/v1/audit/events?action="
                + action
                + "&from="
                + enc(from.toString())
                + "&to="
                + enc(to.toString())
                + "&limit=1000"
                + (after == null ? "" : "&after=" + after);
        Result r = get(q, "Bearer " + token("demo-auditor"));
        assertEquals(
            200,
            r.answers().isEmpty() ? -1 : r.answers().get(0).status(),
            "auditor query " + q + ": " + describe(r));
        JsonNode page = json(r.answers().get(0).body());
        for (JsonNode e : page.path("events")) {
          out.merge(
              e.path("detail").path("status").asText("?") + " " + e.path("reason").asText("?"),
              1,
              Integer::sum);
        }
        if (page.path("nextAfter").isNull() || page.path("events").isEmpty()) {
          break;
        }
        after = page.path("nextAfter").asText();
      }
    }
    return out;
  }

  /** The hub's count of refusals with this problem code (Prometheus), 0 when never counted. */
  private double refusalCounter(String code) throws Exception {
    Result r = get("/q/metrics", null);
    String text = new String(r.answers().get(0).body(), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile(
                "^safehub_requests_refused_total\\{[^}]*problem=\""
                    + Pattern.quote(code)
                    + "\"[^}]*\\}\\s+([0-9.eE+-]+)",
                Pattern.MULTILINE)
            .matcher(text);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  // ------------------------------------------------------------------------------------------------
  // small helpers

  private static JsonNode json(byte[] body) {
    try {
      return TestMessages.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String describe(Result r) {
    if (r.answers().isEmpty()) {
      return r.hung() ? "hang" : "closed without an answer (" + r.error() + ")";
    }
    return describe(r.answers().get(0));
  }

  private static String summary(Result r) {
    if (r.answers().isEmpty()) {
      return (r.hung() ? "HANG" : "closed without an answer")
          + (r.error() == null ? "" : " (" + r.error() + ")")
          + " after "
          + r.millis()
          + " ms";
    }
    StringBuilder b = new StringBuilder();
    for (Answer a : r.answers()) {
      String type =
          a.body().length == 0
              ? ""
              : String.valueOf(
                  json(a.body()) == null ? "" : json(a.body()).path("type").asText(""));
      b.append(b.length() == 0 ? "" : " | ")
          .append(a.status())
          .append(' ')
          .append(a.header("content-type"))
          .append(' ')
          .append(a.body().length)
          .append(" bytes ")
          .append(type)
          .append(a.header("connection") == null ? "" : " connection:" + a.header("connection"));
    }
    return b.append(" in ").append(r.millis()).append(" ms").toString();
  }

  private static String describe(Answer a) {
    String body = new String(a.body(), StandardCharsets.UTF_8);
    return "HTTP "
        + a.status()
        + " Content-Type "
        + a.header("content-type")
        + " body "
        + (body.isEmpty() ? "(empty)" : quote(abbreviate(body)));
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 100) + "...(" + s.length() + " chars)";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      if (c < 0x20
          || c == 0x7f
          || (c >= 0x80 && c < 0xa0)
          || Character.isSurrogate(c)
          || c == '\u202e') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String flipLast(String jwt) {
    char c = jwt.charAt(jwt.length() - 3);
    return jwt.substring(0, jwt.length() - 3)
        + (c == 'A' ? 'B' : 'A')
        + jwt.substring(jwt.length() - 2);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] hex(String h) {
    return java.util.HexFormat.of().parseHex(h);
  }

  private static byte[] concat(byte[]... parts) {
    return RawHttp.concat(parts);
  }

  private static byte[] replace(byte[] haystack, byte[] needle, byte[] replacement) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return concat(
          Arrays.copyOf(haystack, i),
          replacement,
          Arrays.copyOfRange(haystack, i + needle.length, haystack.length));
    }
    throw new IllegalStateException("marker not found");
  }
}
