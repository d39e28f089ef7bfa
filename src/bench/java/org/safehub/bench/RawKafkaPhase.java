package org.safehub.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.safehub.devstack.KafkaNode;
import org.safehub.kafka.Headers;
import org.safehub.kafka.KafkaClients;

/**
 * Raw Kafka doing the hub's Kafka I/O for the same mix, with the hub's own client settings ({@link
 * KafkaClients}): an acks=all idempotent producer writes one inbound record per message, of the
 * size the hub's sealed inbound record has; a consume-and-produce loop writes one record per copy
 * (sealed-copy sizes) to each recipient's delivery topic in one transaction per poll, with the
 * consumed offsets, as the hub's pipeline does; a second read_committed reader follows the delivery
 * topics as the hub's live-copy stream does; and a read_committed consumer measures latency. Left
 * out: the hub's database writes, its HTTP layer and its audit-topic records.
 */
final class RawKafkaPhase {

  private static final String PREFIX = "bench.";
  private static final String INBOUND = PREFIX + "inbound";
  private static final String MIX_HEADER = "bench-mix";

  private RawKafkaPhase() {}

  static List<Report.Row> run(
      BenchParams params, MessageMix mix, CryptoPhase.Sizes sizes, String bootstrap)
      throws Exception {
    KafkaClients clients = new KafkaClients(KafkaNode.hubClient(bootstrap));
    Map<String, Integer> deliveryTopics = new LinkedHashMap<>();
    for (int i = 0; i < MessageMix.AGENCIES.size(); i++) {
      deliveryTopics.put(PREFIX + "delivery." + MessageMix.AGENCIES.get(i), i);
    }
    createTopics(bootstrap, deliveryTopics);
    Payloads payloads = new Payloads();

    RawPipeline pipeline = new RawPipeline(clients, sizes, payloads);
    Thread pipelineThread = new Thread(pipeline, "bench-raw-pipeline");
    pipelineThread.setDaemon(true);
    pipelineThread.start();
    Cpu cpu = new Cpu();
    try (DeliveryConsumer live =
            new DeliveryConsumer(bootstrap, deliveryTopics, "bench-raw-live-reader");
        DeliveryConsumer consumer =
            new DeliveryConsumer(bootstrap, deliveryTopics, "bench-raw-delivery-consumer");
        KafkaProducer<String, byte[]> ingress =
            clients.durableProducer("bench-raw-ingress", 10_000)) {
      Load.Sender sender =
          (m, done) -> {
            ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(
                    INBOUND,
                    null,
                    m.id(),
                    payloads.of(sizes.inbound()[m.kind()][m.step()]),
                    Headers.of(
                        Headers.MESSAGE_ID,
                        m.id(),
                        Headers.TYPE,
                        m.kindInfo().type(),
                        Headers.SENDER,
                        m.kindInfo().sender(),
                        MIX_HEADER,
                        m.kind() + "," + m.step()));
            // the callback reports the outcome to the load tracker
            Future<RecordMetadata> unused =
                ingress.send(
                    record,
                    (metadata, e) -> done.accept(e == null ? null : e.getClass().getSimpleName()));
          };
      List<Report.Row> rows = new ArrayList<>();
      // peak: closed loop
      long start = System.nanoTime();
      long windowStart = start + TimeUnit.SECONDS.toNanos(params.warmup());
      long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
      Tracker peak = new Tracker(windowStart, windowEnd);
      consumer.track(peak);
      Cpu.Window window = new Cpu.Window(cpu, windowStart, windowEnd);
      Load.Sent sent =
          Load.closedLoop(
              sender,
              mix,
              peak,
              k -> MessageMix.KINDS.get(k).recipientMask(),
              params.concurrency(),
              params.backlogCap(),
              windowEnd);
      Cpu.Usage usage = window.usage();
      boolean drained =
          peak.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
      consumer.track(null);
      Report.Row peakRow =
          Report.row(
              "raw Kafka, peak (closed loop)",
              peak,
              usage,
              sent,
              drained,
              String.format(
                  Locale.ROOT,
                  "%d sends in flight, at most %d undelivered; %s",
                  params.concurrency(),
                  params.backlogCap(),
                  pipeline.describeAndReset()));
      rows.add(peakRow);

      // paced: open loop at the same fraction of its own peak as the hub's paced pass
      double rate = Math.max(1, params.pacedFraction() * peakRow.messagesPerSecond());
      System.out.printf(
          Locale.ROOT,
          "  raw Kafka paced pass: %.0f msg/s, %d s warm-up, %d s measured ...%n",
          rate,
          params.pacedWarmup(),
          params.seconds());
      start = System.nanoTime();
      windowStart = start + TimeUnit.SECONDS.toNanos(params.pacedWarmup());
      windowEnd = windowStart + TimeUnit.SECONDS.toNanos(params.seconds());
      Tracker paced = new Tracker(windowStart, windowEnd);
      consumer.track(paced);
      window = new Cpu.Window(cpu, windowStart, windowEnd);
      sent =
          Load.openLoop(
              sender,
              mix,
              paced,
              k -> MessageMix.KINDS.get(k).recipientMask(),
              rate,
              params.pacedMaxInFlight(),
              start,
              windowEnd);
      usage = window.usage();
      drained =
          paced.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(params.drainSeconds()));
      consumer.track(null);
      rows.add(
          Report.row(
              String.format(
                  Locale.ROOT,
                  "raw Kafka, paced at %.0f%% of its peak",
                  params.pacedFraction() * 100),
              paced,
              usage,
              sent,
              drained,
              String.format(
                  Locale.ROOT,
                  "open loop at %.0f msg/s, latency from each message's due time; %s",
                  rate,
                  pipeline.describeAndReset())));
      return rows;
    } finally {
      pipeline.stop();
      pipelineThread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  private static void createTopics(String bootstrap, Map<String, Integer> deliveryTopics)
      throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(
        new NewTopic(INBOUND, 6, (short) 1)); // the hub's default safehub.kafka.inbound-partitions
    deliveryTopics.keySet().forEach(t -> topics.add(new NewTopic(t, 1, (short) 1)));
    try (Admin admin = Admin.create(KafkaNode.hubClient(bootstrap))) {
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Shared random payloads by size (the producer never changes a value it is given). */
  static final class Payloads {
    private final Map<Integer, byte[]> bySize = new java.util.concurrent.ConcurrentHashMap<>();
    private final Random random = new Random(42);

    byte[] of(int size) {
      return bySize.computeIfAbsent(
          size,
          n -> {
            byte[] b = new byte[n];
            synchronized (random) {
              random.nextBytes(b);
            }
            return b;
          });
    }
  }

  /** The hub pipeline's Kafka work without the hub: poll, one record per copy, offsets, commit. */
  private static final class RawPipeline implements Runnable {
    private final KafkaClients clients;
    private final CryptoPhase.Sizes sizes;
    private final Payloads payloads;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong records = new AtomicLong();

    RawPipeline(KafkaClients clients, CryptoPhase.Sizes sizes, Payloads payloads) {
      this.clients = clients;
      this.sizes = sizes;
      this.payloads = payloads;
    }

    @Override
    public void run() {
      try (KafkaConsumer<String, byte[]> c =
              clients.consumer("bench-raw-pipeline", "bench-raw-pipeline", 500);
          KafkaProducer<String, byte[]> p =
              clients.transactionalProducer("bench-raw-pipeline", 15_000)) {
        consumer = c;
        p.initTransactions();
        c.subscribe(List.of(INBOUND));
        while (running) {
          ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(200));
          if (batch.isEmpty()) {
            continue;
          }
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          p.beginTransaction();
          for (ConsumerRecord<String, byte[]> r : batch) {
            offsets.put(
                new TopicPartition(r.topic(), r.partition()),
                new OffsetAndMetadata(r.offset() + 1));
            String[] mix = Headers.get(r.headers(), MIX_HEADER).split(",", -1);
            int kind = Integer.parseInt(mix[0]);
            int step = Integer.parseInt(mix[1]);
            MessageMix.Kind k = MessageMix.KINDS.get(kind);
            for (String recipient : k.recipients()) {
              int size = sizes.sealedCopy()[kind][step][MessageMix.AGENCIES.indexOf(recipient)];
              // a failed send fails commitTransaction below
              Future<RecordMetadata> unused =
                  p.send(
                      new ProducerRecord<>(
                          PREFIX + "delivery." + recipient,
                          null,
                          r.key(),
                          payloads.of(size),
                          Headers.of(
                              Headers.MESSAGE_ID,
                              r.key(),
                              Headers.TYPE,
                              k.type(),
                              Headers.SENDER,
                              k.sender(),
                              Headers.RECIPIENT,
                              recipient,
                              Headers.FORMAT,
                              "cms")));
            }
          }
          p.sendOffsetsToTransaction(offsets, c.groupMetadata());
          p.commitTransaction();
          transactions.incrementAndGet();
          records.addAndGet(batch.count());
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        if (running) {
          System.out.println("  raw pipeline failed: " + e);
        }
      }
    }

    void stop() {
      running = false;
      KafkaConsumer<String, byte[]> c = consumer;
      if (c != null) {
        c.wakeup();
      }
    }

    /** Records per transaction since the last call. */
    String describeAndReset() {
      long t = transactions.getAndSet(0);
      long r = records.getAndSet(0);
      return t == 0
          ? "no transactions"
          : String.format(
              Locale.ROOT, "%.1f inbound records per pipeline transaction", (double) r / t);
    }
  }
}
