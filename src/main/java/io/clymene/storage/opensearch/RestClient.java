package io.clymene.storage.opensearch;

import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriterContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * HTTP calls to the cluster's REST API with the entry's headers, basic or bearer auth, TLS and timeout,
 * and {@code Authorization: ApiKey <api_key>} when an Elasticsearch API key is set (it wins over the
 * other auth). A call completes with the status and body of any answer, and fails only when no answer
 * came (network, timeout, an unreadable credentials file). One client for all {@code urls}.
 */
final class RestClient {
  private final WriterContext context;
  private final StorageEntry entry;
  private final SearchOptions options;
  private HttpClient client;

  /** An answer: status, Retry-After header (or null) and body. */
  record Reply(int status, String retryAfter, Buffer body) {

    /** The start of the body on one line, for messages. */
    String text(int maxBytes) {
      int n = Math.min(body.length(), maxBytes);
      String t = new String(body.getBytes(0, n), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ").trim();
      return n < body.length() ? t + "..." : t;
    }
  }

  RestClient(WriterContext context, StorageEntry entry, SearchOptions options) {
    this.context = context;
    this.entry = entry;
    this.options = options;
  }

  void start() {
    HttpClientOptions o = new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(o);
    // one connection per queue shard and node, plus one for the template and version calls
    client = context.vertx().httpClientBuilder().with(o)
        .with(new PoolOptions().setHttp1MaxSize(entry.queue().maxShards() + 1)).build();
  }

  /**
   * Sends a request to {@code base} (a node's URL, its path kept as a prefix).
   *
   * @param path path and query below the base, e.g. {@code /_bulk?filter_path=errors}
   * @param contentType the body's type, or null without a body
   */
  Future<Reply> call(URI base, HttpMethod method, String path, String contentType, Buffer body) {
    boolean tls = "https".equals(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    RequestOptions req = new RequestOptions().setMethod(method).setHost(base.getHost()).setPort(port).setSsl(tls)
        .setURI(prefix + path).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req).compose(r -> send(r, contentType, body))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("Retry-After"), b)));
  }

  private Future<io.vertx.core.http.HttpClientResponse> send(HttpClientRequest r, String contentType, Buffer body) {
    try {
      entry.http().addTo(r.headers());
    } catch (IOException e) {
      r.reset();
      return Future.failedFuture(new IOException("cannot read a credentials file: " + e.getMessage(), e));
    }
    if (options.apiKey() != null) {
      r.putHeader("Authorization", "ApiKey " + options.apiKey());
    }
    r.putHeader("User-Agent", "Clymene/" + context.version());
    r.putHeader("Accept", "application/json");
    if (contentType == null) {
      return r.send();
    }
    r.putHeader("Content-Type", contentType);
    return r.send(body);
  }

  Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
