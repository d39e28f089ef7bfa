package org.safehub.devstack;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker in this JVM whose log directory survives restarts, so a stopped
 * and restarted dev stack keeps its topics and records.
 */
public final class KafkaNode implements AutoCloseable {

  private static final Map<String, String> BROKER_PROPERTIES =
      Map.ofEntries(
          Map.entry("offsets.topic.replication.factor", "1"),
          Map.entry("transaction.state.log.replication.factor", "1"),
          Map.entry("transaction.state.log.min.isr", "1"),
          Map.entry("share.coordinator.state.topic.replication.factor", "1"),
          Map.entry("share.coordinator.state.topic.min.isr", "1"),
          Map.entry("group.initial.rebalance.delay.ms", "0"),
          Map.entry("auto.create.topics.enable", "false"),
          Map.entry("num.partitions", "1"),
          // a clean stop unregisters the broker, so a restart need not wait out the old broker
          // session
          Map.entry("controlled.shutdown.enable", "true"));

  /**
   * Flush policy. By default the broker leaves flushing to the operating system (Kafka's own
   * default: a write is acknowledged once it is in the page cache), so a record survives a crash of
   * this process but not of the operating system. With {@code
   * -Dsafehub.kafka.flush-every-write=true} every write is fsynced before it is acknowledged
   * ({@code log.flush.interval.messages=1}); see the README for its cost.
   */
  static final String FLUSH_EVERY_WRITE = "safehub.kafka.flush-every-write";

  private final EmbeddedKafkaBroker broker;
  private final String bootstrapServers;

  private KafkaNode(EmbeddedKafkaBroker broker, String bootstrapServers) {
    this.broker = broker;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts the broker with its data in {@code logDir} (formatted on first use) and waits until it
   * answers.
   */
  public static KafkaNode start(Path logDir, int port) {
    DataDirs.createDirectories(logDir);
    int kafkaPort = Ports.orFree(port);
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker()
            .withKafkaHost("127.0.0.1")
            .withKafkaPort(kafkaPort)
            .withControllerPort(Ports.free())
            .withClusterId(clusterIdOf(logDir))
            .withDeleteLogDirsOnClose(false)
            .withAdditionalProperties(
                props -> {
                  props.put("log.dir", logDir.toAbsolutePath().toString());
                  props.putAll(BROKER_PROPERTIES);
                  if (Boolean.getBoolean(FLUSH_EVERY_WRITE)) {
                    props.put("log.flush.interval.messages", "1");
                  }
                });
    try {
      broker.start();
    } catch (RuntimeException e) {
      broker.close();
      throw new IllegalStateException(
          "Kafka did not start on 127.0.0.1:"
              + kafkaPort
              + " with data in "
              + logDir
              + ": "
              + e.getMessage(),
          e);
    }
    String bootstrap = "127.0.0.1:" + kafkaPort;
    KafkaNode node = new KafkaNode(broker, bootstrap);
    try {
      node.awaitReady();
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    broker.close();
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka on " + bootstrapServers + " did not answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  /**
   * The cluster id already written into {@code logDir}, or a new one for an unformatted directory.
   */
  private static String clusterIdOf(Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    if (Files.isRegularFile(meta)) {
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(meta)) {
        props.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + meta, e);
      }
      String id = props.getProperty("cluster.id");
      if (id != null && !id.isBlank()) {
        return id;
      }
    }
    return Uuid.randomUuid().toString();
  }
}
