package org.safehub.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safehub.devstack.DevStack;
import org.safehub.devstack.HubProcess;
import org.safehub.devstack.KafkaNode;
import org.safehub.devstack.Ports;
import org.safehub.devstack.PostgresNode;
import org.safehub.testsupport.ComponentsResource;
import org.safehub.testsupport.PackagedHubs;
import org.safehub.testsupport.PublishBurst;

/**
 * A hub process with a Kafka broker and a PostgreSQL of its own, which the test stops and starts
 * again mid-burst: publishers get 503 with Retry-After (never a 202 for a message not stored),
 * decisions that need the database fail closed, and everything accepted is delivered once the
 * component returns.
 */
// starts brokers of its own in-process: runs in its own JVM (pom.xml, failsafe execution own-stack)
@Tag("own-stack")
class FaultToleranceIT {

  private static String keycloak;
  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Process hub;

  @BeforeAll
  static void components() {
    new ComponentsResource().start();
    keycloak = ComponentsResource.endpoints().keycloakBaseUrl();
  }

  @AfterEach
  void stop() throws Exception {
    if (hub != null) {
      HubProcess.stop(hub);
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private URI startHub(KafkaNode kafka, PostgresNode pg) {
    int port = Ports.free();
    DevStack.Endpoints endpoints =
        new DevStack.Endpoints(
            kafka.bootstrapServers(),
            KafkaNode.hubClientConfig(),
            null,
            pg.jdbcUrl(),
            PostgresNode.USER,
            PostgresNode.PASSWORD,
            keycloak);
    hub =
        HubProcess.start(
            HubProcess.command(
                List.of(
                    "-Xmx512m",
                    "-Dsafehub.instance-id=fault-1",
                    "-Dquarkus.log.level=WARN",
                    "-Dsafehub.ingress.produce-timeout-ms=4000"),
                endpoints,
                port,
                Path.of("target", "test-data"),
                Path.of("target", "quarkus-app", "quarkus-run.jar")));
    URI base = URI.create("http://127.0.0.1:" + port);
    return PackagedHubs.awaitReady(base, "hub");
  }

  /**
   * Publishers that keep sending; they record 202s, and every other answer with its Retry-After.
   */
  private static final class Burst extends PublishBurst {
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
    final Map<Integer, Integer> other = new ConcurrentHashMap<>();

    Burst(URI hub) {
      super(6, Duration.ofSeconds(30), hub);
    }

    @Override
    protected void notAccepted(HttpResponse<String> r) throws InterruptedException {
      if (r.statusCode() == 503) {
        unavailable.incrementAndGet();
        if (r.headers().firstValue("Retry-After").isEmpty() || !r.body().contains("problem")) {
          unavailableWithoutRetryAfter.incrementAndGet();
        }
        Thread.sleep(
            200); // pacing: a publisher told 503 backs off before it tries again, as Retry-After
        // asks
      } else {
        other.merge(r.statusCode(), 1, Integer::sum);
      }
    }

    @Override
    protected void failed(Exception e) {
      other.merge(-1, 1, Integer::sum);
    }
  }

  private static Map<String, Integer> copies(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.putAll(KafkaNode.hubClientConfig());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, Integer> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (c.position(tp) < end && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  var h = r.headers().lastHeader("safehub-message-id");
                  if (h != null) {
                    out.merge(new String(h.value(), StandardCharsets.UTF_8), 1, Integer::sum);
                  }
                });
      }
    }
    return out;
  }

  private static void assertDeliveredExactlyOnce(String bootstrap, Set<String> accepted) {
    for (String agency : List.of("demo-iss", "demo-cs")) {
      String topic = "safehub.delivery." + agency;
      Awaitility.await("delivered to " + agency)
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> copies(bootstrap, topic).keySet().containsAll(accepted));
      Map<String, Integer> c = copies(bootstrap, topic);
      assertEquals(
          List.of(),
          c.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList(),
          "duplicates at " + agency);
    }
  }

  @Test
  void brokerRestartMidBurstAnswers503WithRetryAfterAndDeliversEverythingAccepted()
      throws Exception {
    int kafkaPort = Ports.free();
    Path kafkaDir = dir.resolve("kafka");
    KafkaNode kafka = KafkaNode.start(kafkaDir, kafkaPort);
    PostgresNode pg = PostgresNode.start(dir.resolve("pg"), 0, dir.resolve("pg.log"));
    closeables.add(pg);
    URI base = startHub(kafka, pg);
    Set<String> accepted;
    int acceptedBeforeRestart;
    try (Burst burst = new Burst(base)) {
      burst.until(300);
      kafka.close();
      Awaitility.await("publishers told 503")
          .atMost(Duration.ofSeconds(90))
          .until(() -> burst.unavailable.get() >= 5);
      acceptedBeforeRestart = burst.accepted.size();
      kafka = KafkaNode.start(kafkaDir, kafkaPort);
      burst.until(acceptedBeforeRestart + 300);
      accepted = Set.copyOf(burst.accepted);
      assertEquals(
          0,
          burst.unavailableWithoutRetryAfter.get(),
          "every 503 is a problem document with Retry-After");
      assertEquals(Map.of(), burst.other, "no answer but 202 or 503");
      System.out.printf(
          "broker restart: %d accepted, %d answered 503 while the broker was down%n",
          accepted.size(), burst.unavailable.get());
    }
    closeables.add(0, kafka);
    assertDeliveredExactlyOnce(kafka.bootstrapServers(), accepted);
  }

  @Test
  void databaseDownFailsClosedThenRecoversOnItsOwn() throws Exception {
    KafkaNode kafka = KafkaNode.start(dir.resolve("kafka"), 0);
    closeables.add(kafka);
    Path pgDir = dir.resolve("pg");
    int pgPort = Ports.free();
    PostgresNode pg = PostgresNode.start(pgDir, pgPort, dir.resolve("pg.log"));
    URI base = startHub(kafka, pg);
    Set<String> accepted;
    try (Burst burst = new Burst(base)) {
      burst.until(200);
      pg.close();
      // publishing needs the receipt store and the audit log: refused with 503, never accepted
      // unrecorded
      Awaitility.await("publishers told 503")
          .atMost(Duration.ofSeconds(90))
          .until(() -> burst.unavailable.get() >= 5);
      int acceptedWhileDown = burst.accepted.size();
      Map<String, Integer> deliveredWhileDown =
          copies(kafka.bootstrapServers(), "safehub.delivery.demo-iss");
      // nothing is delivered while decisions cannot be recorded: not at any time in the next 5 s
      String bootstrap = kafka.bootstrapServers();
      Awaitility.await("nothing delivered while the database is down")
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> copies(bootstrap, "safehub.delivery.demo-iss").equals(deliveredWhileDown));
      assertEquals(
          deliveredWhileDown, copies(kafka.bootstrapServers(), "safehub.delivery.demo-iss"));
      pg = PostgresNode.start(pgDir, pgPort, dir.resolve("pg.log"));
      burst.until(acceptedWhileDown + 200);
      accepted = Set.copyOf(burst.accepted);
      assertEquals(0, burst.unavailableWithoutRetryAfter.get());
      assertEquals(Map.of(), burst.other, "no answer but 202 or 503");
      System.out.printf(
          "database outage: %d accepted, %d answered 503 while it was down%n",
          accepted.size(), burst.unavailable.get());
    }
    closeables.add(pg);
    assertDeliveredExactlyOnce(kafka.bootstrapServers(), accepted);
  }
}
