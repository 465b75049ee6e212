package io.clymene.storage.tdengine;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes batches to TDengine through taosAdapter's InfluxDB endpoint, one request per {@link #write}, in the
 * {@link LineProtocolDialect#TDENGINE} dialect (NaN, ±Inf and stale markers are not sent: counted as
 * {@code unsupported_value}). taosAdapter inserts a request with one schemaless call: all of it or nothing, so
 * there are no partial outcomes; {@link TdengineAnswers} maps its answers.
 */
final class TdengineWriter implements StorageWriter {
  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  private final String uri;
  private final String database;
  private final String authorization;
  private final String server;
  private final LineProtocolEncoder encoder = new LineProtocolEncoder(LineProtocolDialect.TDENGINE);
  private final UnsupportedValues unsupported;
  private HttpClient client;

  TdengineWriter(WriterContext context, StorageEntry entry, URI url) {
    this.context = context;
    this.entry = entry;
    this.url = url;
    this.database = entry.config().getString("database");
    String base = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
    this.uri = base + "/influxdb/v1/write?db=" + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "&precision=ms";
    String user = entry.config().getString("user", TdengineProvider.DEFAULT_USER);
    String password = entry.config().getString("password", TdengineProvider.DEFAULT_PASSWORD);
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.server = "TDengine (taosAdapter) at " + url;
    this.unsupported = new UnsupportedValues(context.registry(), entry.name(),
        "NaN, ±Inf and stale markers (TDengine's schemaless writes take only finite numbers)");
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setSsl("https".equals(url.getScheme()))
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    client = context.vertx().httpClientBuilder().with(options)
        .with(new PoolOptions().setHttp1MaxSize(Math.max(1, entry.queue().maxShards()))).build();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    Buffer body = Buffer.buffer(encoder.encode(batches));
    long skipped = encoder.skipped();
    long lines = samples(batches) - skipped;
    if (lines == 0) {
      unsupported.count(skipped);
      return Future.succeededFuture();
    }
    int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
        .setURI(uri).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req).compose(r -> send(r, body))
        .recover(err -> Future.failedFuture(WriteException.retryable(server + " unreachable: " + err.getMessage(),
            err)))
        .compose(resp -> resp.body().compose(b -> {
          WriteException failure = TdengineAnswers.classify(server, database, resp.statusCode(), resp.headers(),
              b.toString(), lines, entry.queue().retryOnHttp429());
          if (failure == null || !failure.retryable()) {
            unsupported.count(skipped); // settled: counted once, not on every retry
          }
          if (failure == null) {
            return Future.<Void>succeededFuture();
          }
          // refused whole: when samples were left out as unsupported, only the sent ones count as rejected
          return Future.failedFuture(failure.retryable() || skipped == 0 ? failure
              : WriteException.partial(failure.getMessage(), List.of(), lines));
        }));
  }

  private Future<HttpClientResponse> send(HttpClientRequest r, Buffer body) {
    try {
      entry.http().addTo(r.headers());
    } catch (IOException e) {
      r.reset();
      return Future.failedFuture(e);
    }
    r.putHeader("Authorization", authorization)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("User-Agent", "Clymene/" + context.version());
    return r.send(body);
  }

  private static long samples(List<SeriesBatch> batches) {
    long n = 0;
    for (SeriesBatch b : batches) {
      n += b.sampleCount();
    }
    return n;
  }

  @Override
  public Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
