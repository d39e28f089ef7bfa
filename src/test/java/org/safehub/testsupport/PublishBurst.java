package org.safehub.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * Publishers that keep sending attendance messages from the programme, round robin over {@link
 * #targets} (a test may swap a hub in or out), for at most five minutes or until closed. They
 * remember only the messages accepted with 202; a subclass looks at every other answer.
 */
public class PublishBurst implements AutoCloseable {
  public final Set<String> accepted = ConcurrentHashMap.newKeySet();
  public final List<URI> targets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService pool;

  public PublishBurst(int threads, Duration requestTimeout, URI... hubs) {
    targets.addAll(List.of(hubs));
    pool = Executors.newFixedThreadPool(threads);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    AtomicInteger next = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      // each worker records its own outcomes; close() stops the workers and awaits the pool
      Future<?> unused =
          pool.submit(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (running.get() && System.nanoTime() < deadline) {
                  ObjectNode msg = TestMessages.example("attendance");
                  URI hub = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
                  try {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(hub.resolve("/api/v1/messages"))
                                .timeout(requestTimeout)
                                .header("Authorization", "Bearer " + Tokens.forClient("demo-dvpp"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(TestMessages.json(msg)))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                      accepted.add(msg.get("messageId").asText());
                    } else {
                      notAccepted(r);
                    }
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    try {
                      failed(e);
                    } catch (InterruptedException ie) {
                      return;
                    }
                  }
                }
              });
    }
  }

  /** An answer other than 202: not accepted, so nothing is owed. */
  protected void notAccepted(HttpResponse<String> response) throws InterruptedException {}

  /** No answer (the hub is down, say): not accepted either; waits a little before the next try. */
  protected void failed(Exception e) throws InterruptedException {
    Thread.sleep(50); // pacing: a hub that is down is not hammered in a tight loop
  }

  public void until(int count) {
    Awaitility.await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> accepted.size() >= count);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    pool.shutdown();
    assertTrue(pool.awaitTermination(90, TimeUnit.SECONDS));
  }
}
