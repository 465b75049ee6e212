package io.clymene.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An HTTP server on a free loopback port that records every request (method, URI, headers, body) and answers
 * each with the next scripted answer (204 when none is left). Only for golden tests of products that cannot run
 * on this machine (InfluxDB 2, TDengine): the test's javadoc must say so.
 */
public final class CaptureServer implements AutoCloseable {
  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Consumer<HttpServerResponse>> answers = new ArrayDeque<>();

  /** One request as the server saw it. */
  public record Request(String method, String uri, MultiMap headers, byte[] body) {
  }

  private CaptureServer(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      requests.add(new Request(req.method().name(), req.uri(),
          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), b.getBytes()));
      Consumer<HttpServerResponse> answer;
      synchronized (answers) {
        answer = answers.poll();
      }
      if (answer == null) {
        req.response().setStatusCode(204).end();
      } else {
        answer.accept(req.response());
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public static CaptureServer start(Vertx vertx) throws Exception {
    return new CaptureServer(vertx);
  }

  /** Queues answers for the next requests, in order. */
  @SafeVarargs
  public final CaptureServer answer(Consumer<HttpServerResponse>... next) {
    synchronized (answers) {
      answers.addAll(List.of(next));
    }
    return this;
  }

  /** An answer with a status, headers as name, value pairs, and a body. */
  public static Consumer<HttpServerResponse> reply(int status, String body, String... headers) {
    return r -> {
      r.setStatusCode(status);
      for (int i = 0; i < headers.length; i += 2) {
        r.putHeader(headers[i], headers[i + 1]);
      }
      r.end(body);
    };
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The requests so far. */
  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public void clear() {
    requests.clear();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
