package org.safehub.delivery;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.DeliveryTopics;
import org.safehub.testsupport.TestMessages;
import org.safehub.testsupport.Tokens;

/**
 * The live-copies consumer reads only the delivery topics of agencies with a stream open on this
 * instance (real Kafka): what it fetches is counted by its own client metrics.
 */
@QuarkusTest
class LivePartitionsIT {

  /**
   * The second area's partner-support service, for which no other test opens a stream: the JDK's
   * HTTP client does not close the connection of a stream it stops reading, so a stream another
   * test left behind would stay open on the hub.
   */
  private static final String AGENCY = "demo2-iss";

  private static final String SENDER = "demo2-dvpp";

  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

  @TestHTTPResource("/api/v1/inbox/stream")
  URL streamUrl;

  @Inject LiveCopies live;
  @Inject KafkaClientService clients;

  private static String publishAttendanceFor(String recipient) {
    ObjectNode msg = TestMessages.withRecipients(TestMessages.example("attendance"), recipient);
    msg.put("area", "E08000025");
    given()
        .auth()
        .oauth2(Tokens.forClient(SENDER))
        .contentType("application/json")
        .body(TestMessages.json(msg))
        .post("/api/v1/messages")
        .then()
        .statusCode(202);
    return msg.get("messageId").asText();
  }

  /** Waits until the copy of {@code messageId} is committed to its recipient's delivery topic. */
  private static void awaitCommitted(String messageId) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                given()
                    .auth()
                    .oauth2(Tokens.forClient(SENDER))
                    .get("/api/v1/messages/" + messageId + "/status")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("recipients.state")
                    .contains("delivered"));
  }

  private KafkaConsumer<String, byte[]> consumer() {
    return clients.getConsumer(LivePartitions.CHANNEL);
  }

  /** Records the live-copies consumer has taken from {@code topic} so far (its client metric). */
  private double consumedFrom(String topic) {
    Map<MetricName, ? extends Metric> metrics =
        consumer()
            .<Map<MetricName, ? extends Metric>>runOnPollingThread(
                c -> {
                  return Map.copyOf(c.metrics());
                })
            .await()
            .atMost(Duration.ofSeconds(10));
    double n = 0;
    for (var e : metrics.entrySet()) {
      MetricName name = e.getKey();
      String tag = name.tags().get("topic");
      if ("records-consumed-total".equals(name.name())
          && tag != null
          && (tag.equals(topic) || tag.equals(topic.replace('.', '_')))) {
        n += ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return n;
  }

  private Set<TopicPartition> paused() {
    return consumer().paused().await().atMost(Duration.ofSeconds(10));
  }

  /** An open stream of {@link #AGENCY}, collecting the message ids of its copies. */
  private final class Listening implements AutoCloseable {
    final List<InboxItem> items = Collections.synchronizedList(new ArrayList<>());
    private final Cancellable subscription;

    Listening() {
      this(null);
    }

    /** Resumes after {@code after} (a cursor), or new copies only if it is null. */
    Listening(Long after) {
      subscription = live.stream(AGENCY, after, 16).subscribe().with(items::add, e -> {});
    }

    List<String> ids() {
      synchronized (items) {
        return items.stream().map(InboxItem::messageId).toList();
      }
    }

    boolean has(String messageId) {
      synchronized (items) {
        return items.stream().anyMatch(i -> messageId.equals(i.messageId()));
      }
    }

    /** Publishes until a copy arrives (the stream goes live asynchronously). */
    void awaitLive() {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> has(publishAttendanceFor(AGENCY)) || !items.isEmpty());
    }

    @Override
    public void close() {
      subscription.cancel();
    }
  }

  @Test
  void anAgencyWithNoStreamOpenHasNothingFetchedForItThenItsFirstStreamIsFedAndItsLastStopsIt() {
    String topic = DeliveryTopics.deliveryTopic(AGENCY);
    TopicPartition tp = new TopicPartition(topic, 0);
    // Given no stream of the agency open on this instance
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> paused().contains(tp));
    double before = consumedFrom(topic);
    // When copies for it are committed
    for (int i = 0; i < 3; i++) {
      awaitCommitted(publishAttendanceFor(AGENCY));
    }
    // Then the live consumer fetches none of them
    Awaitility.await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> consumedFrom(topic) == before);
    // When a stream opens, its partition is read again and the stream gets the new copies
    try (Listening stream = new Listening()) {
      stream.awaitLive();
      assertTrue(consumedFrom(topic) > before, "the open stream's partition is fetched");
      assertTrue(!paused().contains(tp));
    }
    // and once the last stream has ended, nothing more is fetched for it
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> paused().contains(tp));
    double after = consumedFrom(topic);
    awaitCommitted(publishAttendanceFor(AGENCY));
    Awaitility.await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> consumedFrom(topic) == after);
  }

  /** Sends a stream request of {@link #AGENCY} over a plain socket, which closing really closes. */
  private Socket openStream() throws IOException {
    Socket socket = new Socket(streamUrl.getHost(), streamUrl.getPort());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + streamUrl.getPath()
                + " HTTP/1.1\r\nHost: "
                + streamUrl.getHost()
                + "\r\nAuthorization: Bearer "
                + Tokens.forClient(AGENCY)
                + "\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** The start of the answer's status line: "HTTP/1.1 200" (or fails after 30 s). */
  private static String statusLine(Socket socket) throws IOException {
    socket.setSoTimeout(30_000);
    return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
  }

  /** A refusal read whole: its headers and its body (or fails after 30 s). */
  private static String answer(Socket socket) throws IOException {
    socket.setSoTimeout(30_000);
    StringBuilder text = new StringBuilder();
    InputStream in = socket.getInputStream();
    int length = -1;
    while (text.length() < 16_384) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      text.append((char) b);
      if (length < 0 && text.toString().endsWith("\r\n\r\n")) {
        Matcher m = CONTENT_LENGTH.matcher(text.toString());
        length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        text.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
        break;
      }
    }
    return text.toString();
  }

  @Test
  void anAgencyAtItsMostLiveStreamsIsRefusedAnotherUntilOneCloses() throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    List<Socket> open = new ArrayList<>();
    try {
      // Given the agency's 16 streams open on this instance (safehub.limits.streams-per-agency)
      for (int i = 0; i < 16; i++) {
        Socket s = openStream();
        open.add(s);
        assertTrue(statusLine(s).endsWith("200"));
      }
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 16);
      // When it asks for one more, Then it is refused with a problem document, and none is opened
      try (Socket one = openStream()) {
        String answer = answer(one);
        assertTrue(answer.startsWith("HTTP/1.1 429"), answer);
        assertTrue(answer.contains("application/problem+json"), answer);
        assertTrue(answer.contains("urn:safehub:problem:too-many-streams"), answer);
      }
      assertEquals(16, live.openStreams(AGENCY));
      // and once one closes, another may open
      open.remove(0).close();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 15);
      Socket again = openStream();
      open.add(again);
      assertTrue(statusLine(again).endsWith("200"));
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
  }

  @Test
  void streamsOpenedAllAtOnceNeverPassTheBound() throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(24);
    AtomicInteger most = new AtomicInteger();
    AtomicBoolean opening = new AtomicBoolean(true);
    Thread watch =
        new Thread(
            () -> {
              while (opening.get()) {
                most.accumulateAndGet(live.openStreams(AGENCY), Math::max);
              }
            });
    watch.start();
    try {
      // When 24 streams of one agency are asked for at the same moment
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        answers.add(
            pool.submit(
                () -> {
                  Socket s = openStream();
                  sockets.add(s);
                  return statusLine(s);
                }));
      }
      int ok = 0;
      for (Future<String> a : answers) {
        String status = a.get();
        assertTrue(status.endsWith("200") || status.endsWith("429"), status);
        ok += status.endsWith("200") ? 1 : 0;
      }
      // Then at most 16 are ever open, and 16 stay open (one let through by the first count
      // together with others ends at once)
      assertTrue(ok >= 16, ok + " answered 200");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 16);
      opening.set(false);
      watch.join();
      assertTrue(most.get() <= 16, "at most 16 open at once, saw " + most.get());
    } finally {
      opening.set(false);
      pool.shutdownNow();
      for (Socket s : List.copyOf(sockets)) {
        s.close();
      }
    }
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
  }

  @Test
  void aStreamResumedWhileItsPartitionIsPausedGetsEveryCopyCommittedMeanwhileOnceInOrder() {
    String topic = DeliveryTopics.deliveryTopic(AGENCY);
    TopicPartition tp = new TopicPartition(topic, 0);
    // Given no stream of the agency open, so its partition is paused, and the cursor of its last
    // copy
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> paused().contains(tp));
    var records = DeliveryTopics.readAll(topic);
    long cursor = records.isEmpty() ? -1 : records.get(records.size() - 1).offset();
    // When three copies are committed for it while nothing reads its partition
    List<String> meanwhile = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = publishAttendanceFor(AGENCY);
      awaitCommitted(id);
      meanwhile.add(id);
    }
    // (a rebalance another test started may have reassigned it meanwhile: paused again by the
    // sweep)
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> paused().contains(tp));
    // and a stream resumes after that cursor
    try (Listening stream = new Listening(cursor)) {
      // Then it gets exactly those three, in order, and then the next new copy, none twice
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stream.ids().size() >= meanwhile.size());
      assertEquals(meanwhile, stream.ids());
      String next = publishAttendanceFor(AGENCY);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> stream.has(next));
      List<String> expected = new ArrayList<>(meanwhile);
      expected.add(next);
      assertEquals(expected, stream.ids());
    }
  }

  @Test
  void aStreamWhoseClientHasGoneEndsAndItsPartitionIsPausedAgain() throws Exception {
    TopicPartition tp = new TopicPartition(DeliveryTopics.deliveryTopic(AGENCY), 0);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    // Given a client's stream, opened over a plain socket
    try (Socket socket = openStream()) {
      String head = statusLine(socket);
      assertTrue(head.endsWith("200"), head);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 1);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !paused().contains(tp));
    }
    // When the client goes away (the socket closed, no copy written to it since)
    // Then its stream ends and the agency's partition is no longer read
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> live.openStreams(AGENCY) == 0);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> paused().contains(tp));
  }

  @Test
  void aNewDeliveryTopicRebalancesTheConsumerWithoutAnOpenStreamLosingACopy() throws Exception {
    try (Listening stream = new Listening()) {
      // Given an open stream of Children's Services, delivering
      stream.awaitLive();
      List<String> sent = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean publishing = new AtomicBoolean(true);
      Thread publisher =
          new Thread(
              () -> {
                while (publishing.get()) {
                  sent.add(publishAttendanceFor(AGENCY));
                }
              });
      // When copies go on being committed for it while a new agency's delivery topic appears
      // and the live consumer's subscription is rebalanced to take it in
      publisher.start();
      String newTopic = "safehub.delivery.live-test-" + UUID.randomUUID();
      TopicPartition added = new TopicPartition(newTopic, 0);
      try (Admin admin = Admin.create(Map.copyOf(ComponentsResource.endpoints().kafkaClient()))) {
        try {
          try {
            admin.createTopics(List.of(new NewTopic(newTopic, 1, (short) 1))).all().get();
            Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () ->
                        consumer()
                            .getAssignments()
                            .await()
                            .atMost(Duration.ofSeconds(10))
                            .contains(added));
            Thread.sleep(500);
          } finally {
            publishing.set(false);
            publisher.join(30_000);
          }
          // Then every copy committed meanwhile reaches the stream
          List<String> all = List.copyOf(sent);
          assertTrue(all.size() > 1, "copies were committed during the rebalance");
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> all.stream().allMatch(stream::has));
          // and the new topic, with no stream of its own, is not read
          assertTrue(paused().contains(added));
        } finally {
          admin.deleteTopics(List.of(newTopic)).all().get();
        }
      }
    }
  }
}
