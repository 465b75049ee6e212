package io.clymene.agent.discovery.consul;

import io.clymene.agent.scrape.ScrapeClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeoutException;

/**
 * The connection one watch uses for its queries. A blocking query holds its connection for up to the
 * watch timeout, so every watch gets a connection of its own instead of queueing in a small pool; the
 * connection is kept between queries and opened again when it closes. Not thread-safe: use it from the
 * discoverer's context only.
 */
final class ConsulConnection {
  private static final long CONNECT_TIMEOUT_MS = 30_000;

  /**
   * A 200 answer: its {@code X-Consul-Index} (0 when absent or unreadable, as with Consul's Go client)
   * and its body.
   */
  record Answer(long index, Buffer body) {
  }

  private final ScrapeClient client;
  private final ConsulEndpoint endpoint;
  private final String hostHeader;
  private final String serverName;
  private final String token;
  private final long timeoutMs;
  private HttpClientConnection connection;
  private HttpClientRequest current;
  private boolean closed;

  /**
   * @param client the discoverer's HTTP client (TLS, proxy, auth headers)
   * @param endpoint where Consul is
   * @param hostHeader the Host header, the server as configured
   * @param serverName TLS server name to verify instead of the host, or null
   * @param token ACL token, "" for none
   * @param timeoutMs how long a query may take
   */
  ConsulConnection(ScrapeClient client, ConsulEndpoint endpoint, String hostHeader, String serverName,
                   String token, long timeoutMs) {
    this.client = client;
    this.endpoint = endpoint;
    this.hostHeader = hostHeader;
    this.serverName = serverName;
    this.token = token;
    this.timeoutMs = timeoutMs;
  }

  /** The full URL of a path and query, for messages. */
  String url(String pathAndQuery) {
    return endpoint.baseUrl() + pathAndQuery;
  }

  /**
   * GETs a path and query. Fails with a message naming the URL when Consul cannot be reached, times out
   * or answers other than 200.
   */
  Future<Answer> get(String pathAndQuery) {
    boolean reused = connection != null;
    boolean[] answered = new boolean[1];
    return attempt(pathAndQuery, answered).recover(err -> {
      // a kept connection may have been closed by the server or a proxy meanwhile: one more try on a new one
      if (reused && !answered[0] && !closed && !(err instanceof TimeoutException)) {
        return attempt(pathAndQuery, new boolean[1]);
      }
      return Future.failedFuture(err);
    }).recover(err -> Future.failedFuture(
        new ConsulException("GET " + url(pathAndQuery) + ": " + message(err))));
  }

  private Future<Answer> attempt(String pathAndQuery, boolean[] answered) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(endpoint.host())
        .setPort(endpoint.port())
        .setSsl(endpoint.ssl())
        .setURI(pathAndQuery)
        .setIdleTimeout(timeoutMs)
        .putHeader("Host", hostHeader);
    if (!token.isEmpty()) {
      options.putHeader("X-Consul-Token", token);
    }
    return client.prepare(options)
        .compose(opts -> connection().compose(c -> c.request(opts)))
        .compose(req -> {
          current = req;
          return req.send();
        })
        .compose(resp -> {
          answered[0] = true;
          return resp.body().compose(body -> {
            if (resp.statusCode() != 200) {
              String text = body.toString().trim();
              if (text.length() > 200) {
                text = text.substring(0, 200) + "...";
              }
              return Future.failedFuture(new ConsulException("unexpected response code " + resp.statusCode()
                  + (text.isEmpty() ? "" : " (" + text + ")")));
            }
            return Future.succeededFuture(new Answer(index(resp.getHeader("X-Consul-Index")), body));
          });
        })
        .onComplete(ar -> {
          current = null;
          if (ar.failed() && !answered[0]) {
            drop();
          }
        });
  }

  private static long index(String header) {
    if (header == null || header.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(header.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** This watch's connection, opened when needed; the pooled client when it cannot open one of its own. */
  private Future<HttpClient> connection() {
    if (closed) {
      return Future.failedFuture(new ConsulException("discovery stopped"));
    }
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (!(client.client() instanceof HttpClientAgent agent)) {
      return Future.succeededFuture(client.client());
    }
    HttpConnectOptions options = new HttpConnectOptions()
        .setHost(endpoint.host())
        .setPort(endpoint.port())
        .setSsl(endpoint.ssl())
        .setConnectTimeout(CONNECT_TIMEOUT_MS);
    if (serverName != null && endpoint.ssl()) {
      options.setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
          .setHost(serverName);
    }
    return agent.connect(options).map(c -> {
      if (closed) {
        c.close();
        throw new ConsulException("discovery stopped");
      }
      connection = c;
      c.closeHandler(v -> {
        if (connection == c) {
          connection = null;
        }
      });
      return c;
    });
  }

  private void drop() {
    HttpClientConnection c = connection;
    connection = null;
    if (c != null) {
      c.close();
    }
  }

  /** Aborts the query in flight and closes the connection; later queries fail. */
  void close() {
    closed = true;
    HttpClientRequest r = current;
    current = null;
    if (r != null) {
      r.reset();
    }
    drop();
  }

  private static String message(Throwable err) {
    String m = err.getMessage();
    return m == null || m.isEmpty() ? err.getClass().getSimpleName() : m;
  }
}
