package org.safehub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * The load generator's HTTP client for publishes: Vert.x on one event loop, HTTP/1.1 with
 * kept-alive connections. It replaced the JDK's {@code java.net.http.HttpClient}, whose chain of
 * asynchronous stages per request cost the benchmark's JVM about 0.14 ms of CPU per message at the
 * hub's peak, on the two cores the hub is measured on. What the hub receives is the same: a POST
 * with the bearer token and the JSON body, one request per publish (or per batch).
 */
final class HttpPublisher implements AutoCloseable {

  /** What a request came to: the HTTP status and body, or the failure's class name. */
  interface Done {
    void completed(int status, String body, String failure);
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final String host;
  private final int port;

  HttpPublisher(URI hub, int connections) {
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000),
            new PoolOptions().setHttp1MaxSize(connections));
    this.host = hub.getHost();
    this.port = hub.getPort();
  }

  /** POSTs {@code body} to {@code path} with {@code token}; {@code done} runs on the event loop. */
  void post(String path, String token, byte[] body, long timeoutMillis, Done done) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setTimeout(timeoutMillis)
            .putHeader("Authorization", "Bearer " + token)
            .putHeader("Content-Type", "application/json");
    client
        .request(options)
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                done.completed(ar.result().status(), ar.result().body().toString(), null);
              } else {
                done.completed(-1, null, ar.cause().getClass().getSimpleName());
              }
            });
  }

  private record Answer(int status, Buffer body) {}

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
