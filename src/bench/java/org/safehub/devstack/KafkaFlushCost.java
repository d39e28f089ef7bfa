package org.safehub.devstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.safehub.kafka.KafkaClients;

/**
 * A crude measure of what {@code -Dsafehub.kafka.flush-every-write=true} costs the dev stack's
 * broker: 32 publishers each write a 2 KiB record with the hub's durable producer (acks=all,
 * idempotent) and wait for it, as the hub's publish path does, for {@code seconds} against the
 * default broker and then against one that fsyncs every write. Run: {@code java -cp <test
 * classpath> org.safehub.devstack.KafkaFlushCost [seconds]}.
 */
public final class KafkaFlushCost {

  private KafkaFlushCost() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    QuietLogs.toWarn();
    for (boolean flush : new boolean[] {false, true}) {
      System.setProperty(KafkaNode.FLUSH_EVERY_WRITE, Boolean.toString(flush));
      Path dir = DataDirs.createTemp("safehub-flush-cost-");
      try (KafkaNode kafka = KafkaNode.start(dir.resolve("kafka"), 0)) {
        System.out.println(
            (flush ? "flush every write: " : "default flush:     ")
                + measure(kafka.bootstrapServers(), seconds));
      } finally {
        DataDirs.deleteRecursively(dir);
      }
    }
    System.exit(0);
  }

  private static String measure(String bootstrap, int seconds) throws Exception {
    Properties admin = new Properties();
    admin.putAll(KafkaNode.hubClient(bootstrap));
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic("flush-cost", 6, (short) 1))).all().get();
    }
    KafkaClients clients = new KafkaClients(KafkaNode.hubClient(bootstrap));
    byte[] value = new byte[2048];
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    try (KafkaProducer<String, byte[]> producer = clients.durableProducer("flush-cost", 10_000)) {
      // warm up, then measure
      for (int i = 0; i < 200; i++) {
        producer.send(new ProducerRecord<>("flush-cost", "k" + i, value)).get();
      }
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  int n = 0;
                  while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                      producer
                          .send(new ProducerRecord<>("flush-cost", "k" + id + "-" + n++, value))
                          .get();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    latencies.add(System.nanoTime() - start);
                  }
                });
        th.start();
        threads.add(th);
      }
      Thread.sleep(seconds * 1000L);
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return String.format(
        "%d writes/s, p50 %.1f ms, p99 %.1f ms (32 publishers, 2 KiB, acks=all)",
        sorted.size() / seconds,
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get(sorted.size() * 99 / 100) / 1e6);
  }
}
