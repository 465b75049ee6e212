package io.clymene.storage.influxdb;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.UnsupportedValues;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.lineprotocol.LineProtocolDialect;
import io.clymene.storage.lineprotocol.LineProtocolEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Writes batches as line protocol over HTTP to the server behind a {@link WriteApi} (InfluxDB 1.x/2.x,
 * VictoriaMetrics' Influx endpoint, QuestDB). One request per {@link #write}: a body the server finds too large
 * (413) is sent again in halves, down to a single series. The outcomes of the parts are merged by
 * {@link Outcome}: written, partly written ({@link WriteException#partial}: refused lines counted, unsent parts
 * retried), rejected, or to be retried whole. Samples the dialect cannot carry (InfluxDB: NaN, ±Inf, stale
 * markers) are not sent and are counted as {@code unsupported_value}.
 */
final class LineProtocolWriter implements StorageWriter {
  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  private final WriteApi api;
  private final LineProtocolEncoder encoder;
  private final UnsupportedValues unsupported;
  private HttpClient client;

  /**
   * @param unsupportedWhat what the backend cannot store, for the unsupported_value log line; null when the
   *     dialect sends every value
   */
  LineProtocolWriter(WriterContext context, StorageEntry entry, URI url, WriteApi api, LineProtocolDialect dialect,
                     String unsupportedWhat) {
    this.context = context;
    this.entry = entry;
    this.url = url;
    this.api = api;
    this.encoder = new LineProtocolEncoder(dialect);
    this.unsupported = unsupportedWhat == null ? null
        : new UnsupportedValues(context.registry(), entry.name(), unsupportedWhat);
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setSsl("https".equals(url.getScheme()))
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    // one connection per shard: each shard has one request in flight
    int connections = Math.max(1, entry.queue().maxShards());
    client = context.vertx().httpClientBuilder().with(options)
        .with(new PoolOptions().setHttp1MaxSize(connections)).build();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    Outcome outcome = new Outcome(api.product() + " at " + url, Outcome.samples(batches));
    return send(batches, outcome).compose(v -> outcome.result());
  }

  /**
   * Sends one part (never fails: the outcome records what happened). Samples the dialect skipped are counted
   * once the part is settled (written or refused), not when it is to be sent again.
   */
  private Future<Void> send(List<SeriesBatch> part, Outcome outcome) {
    Buffer body = Buffer.buffer(encoder.encode(part));
    long skipped = encoder.skipped();
    long lines = Outcome.samples(part) - skipped;
    if (lines == 0) {
      countUnsupported(skipped);
      return Future.succeededFuture();
    }
    return post(body).transform(ar -> {
      if (ar.failed()) {
        outcome.retry(part, WriteException.retryable(api.product() + " at " + url + " unreachable: "
            + ar.cause().getMessage(), ar.cause()));
        return Future.succeededFuture();
      }
      int status = ar.result().status();
      Answer a = ar.result().answer();
      if (a.kind() == Answer.Kind.TOO_LARGE && splittable(part)) {
        List<List<SeriesBatch>> halves = halves(part);
        return send(halves.get(0), outcome).compose(v -> {
          if (outcome.retrying()) {
            // the server failed the first half: don't press on, the second half is resent with it
            outcome.retry(halves.get(1), null);
            return Future.succeededFuture();
          }
          return send(halves.get(1), outcome);
        });
      }
      if (a.kind() != Answer.Kind.RETRY && a.kind() != Answer.Kind.THROTTLED) {
        countUnsupported(skipped);
      }
      outcome.answer(status, a, part, lines);
      return Future.succeededFuture();
    });
  }

  private void countUnsupported(long skipped) {
    if (skipped > 0 && unsupported != null) {
      unsupported.count(skipped);
    }
  }

  /** A status and what it means. */
  private record Response(int status, Answer answer) {
  }

  /** POSTs a body; the answer classified, or a failure when the server could not be reached. */
  private Future<Response> post(Buffer body) {
    int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
        .setURI(api.uri()).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req).compose(r -> sendRequest(r, body))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(),
            api.classify(resp.statusCode(), resp.headers(), b.toString()))));
  }

  private Future<HttpClientResponse> sendRequest(HttpClientRequest r, Buffer body) {
    try {
      entry.http().addTo(r.headers());
    } catch (IOException e) {
      r.reset();
      return Future.failedFuture("cannot read a credentials file: " + e.getMessage());
    }
    api.addHeaders(r.headers());
    r.putHeader("User-Agent", "Clymene/" + context.version());
    return r.send(body);
  }

  private static boolean splittable(List<SeriesBatch> part) {
    return part.size() > 1 || (part.size() == 1 && part.get(0).size() > 1);
  }

  /** Two parts of about equal series count: by batch when there are several, else by series. */
  private static List<List<SeriesBatch>> halves(List<SeriesBatch> part) {
    if (part.size() > 1) {
      int mid = part.size() / 2;
      return List.of(part.subList(0, mid), part.subList(mid, part.size()));
    }
    SeriesBatch b = part.get(0);
    int mid = b.size() / 2;
    return List.of(List.of(b.slice(0, mid)), List.of(b.slice(mid, b.size())));
  }

  @Override
  public Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
