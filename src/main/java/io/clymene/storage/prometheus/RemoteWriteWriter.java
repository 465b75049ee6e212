package io.clymene.storage.prometheus;

import io.clymene.model.SeriesBatch;
import io.clymene.relabel.RelabelConfig;
import io.clymene.relabel.Relabeler;
import io.clymene.relabel.SeriesRelabeler;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
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
import java.time.Duration;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote write 1.0: snappy-compressed {@code WriteRequest} protobuf over HTTP POST with the
 * headers the specification requires, after write_relabel_configs. 2xx is success; 5xx, 429 and network
 * errors are retryable (429 with its Retry-After); any other answer rejects the data.
 */
final class RemoteWriteWriter implements StorageWriter {
  static final String REMOTE_WRITE_VERSION = "0.1.0";
  /** Series whose write_relabel_configs outcome is remembered. */
  static final int RELABEL_CACHE_SERIES = 500_000;

  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  private final String tenant;
  private final RemoteWriteEncoder encoder = new RemoteWriteEncoder();
  private final SeriesRelabeler relabeler;
  private HttpClient client;

  RemoteWriteWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    this.url = URI.create(entry.config().getString("url"));
    this.tenant = entry.config().getString("tenant");
    List<RelabelConfig> rules = RelabelConfig.parseList(entry.config().getJsonArray("write_relabel_configs"),
        entry.path() + ".write_relabel_configs");
    this.relabeler = rules.isEmpty() ? null : new SeriesRelabeler(new Relabeler(rules), RELABEL_CACHE_SERIES);
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setSsl("https".equals(url.getScheme()))
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    client = context.vertx().httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(4)).build();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    List<SeriesBatch> toSend = batches;
    if (relabeler != null) {
      toSend = new java.util.ArrayList<>(batches.size());
      for (SeriesBatch b : batches) {
        SeriesBatch r = relabeler.apply(b);
        if (!r.isEmpty()) {
          toSend.add(r);
        }
      }
      if (toSend.isEmpty()) {
        return Future.succeededFuture();
      }
    }
    Buffer body;
    try {
      body = Buffer.buffer(Snappy.compress(encoder.encode(toSend)));
    } catch (IOException e) {
      return Future.failedFuture(WriteException.rejected("snappy compression failed: " + e));
    }
    int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
        .setURI(path).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req)
        .compose(r -> send(r, body))
        .recover(err -> err instanceof WriteException ? Future.failedFuture(err)
            : Future.failedFuture(WriteException.retryable("remote write to " + url + " failed: " + err, err)))
        .compose(this::answer);
  }

  private Future<HttpClientResponse> send(HttpClientRequest r, Buffer body) {
    try {
      entry.http().addTo(r.headers());
    } catch (IOException e) {
      r.reset();
      return Future.failedFuture(WriteException.retryable("cannot read a credentials file: " + e.getMessage(), e));
    }
    r.putHeader("Content-Encoding", "snappy")
        .putHeader("Content-Type", "application/x-protobuf")
        .putHeader("User-Agent", "Clymene/" + context.version())
        .putHeader("X-Prometheus-Remote-Write-Version", REMOTE_WRITE_VERSION);
    if (tenant != null) {
      r.putHeader("X-Scope-OrgID", tenant);
    }
    return r.send(body);
  }

  private Future<Void> answer(HttpClientResponse resp) {
    return resp.body().compose(b -> {
      int code = resp.statusCode();
      if (code / 100 == 2) {
        return Future.succeededFuture();
      }
      String text = b.length() > 512 ? b.getString(0, 512) + "..." : b.toString();
      String msg = "remote write to " + url + " answered " + code + ": " + text.trim();
      if (code == 429 && entry.queue().retryOnHttp429()) {
        return Future.failedFuture(WriteException.throttled(msg, retryAfter(resp.getHeader("Retry-After"))));
      }
      if (code >= 500) {
        return Future.failedFuture(WriteException.retryable(msg, null));
      }
      return Future.failedFuture(WriteException.rejected(msg));
    });
  }

  /** Retry-After in seconds (dates are not honoured), or null. */
  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long s = Long.parseLong(header.trim());
      return s >= 0 ? Duration.ofSeconds(s) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
