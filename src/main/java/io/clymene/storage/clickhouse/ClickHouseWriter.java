package io.clymene.storage.clickhouse;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes samples to ClickHouse over its HTTP interface: one {@code INSERT INTO db.table (...) FORMAT
 * RowBinary} per request, rows encoded straight from the batches ({@link RowBinaryEncoder}), so each request
 * becomes one part per partition it touches (the queue defaults make requests large and few).
 *
 * <p>Unless {@code create_table: false}, the database and table ({@link ClickHouseTable}) are created at
 * start; when ClickHouse cannot be reached then, start still succeeds and the statements are tried again
 * before the next write, which fails retryable (or rejected, for an authentication error) until they work.
 * 200 is success; any other answer is classified by its ClickHouse error code ({@link ClickHouseErrors});
 * network errors are retryable. Credentials come from {@code basic_auth} as an Authorization header (never in
 * the URL, never logged).
 */
final class ClickHouseWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseWriter.class);

  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  /** scheme://host:port, for messages: never the URL's query (it may hold settings or secrets). */
  private final String endpoint;
  private final String basePath;
  private final ClickHouseTable table;
  private final boolean createTable;
  private final RowBinaryEncoder encoder = new RowBinaryEncoder();
  private final ThrottledLog schemaLog = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private HttpClient client;
  private boolean schemaReady;
  private Future<Void> schemaPending;

  ClickHouseWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    this.url = URI.create(entry.config().getString("url", ClickHouseProvider.DEFAULT_URL));
    this.endpoint = url.getScheme() + "://" + url.getHost() + ":" + port(url);
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    this.basePath = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    this.table = new ClickHouseTable(entry.config().getString("database", ClickHouseProvider.DEFAULT_DATABASE),
        entry.config().getString("table", ClickHouseProvider.DEFAULT_TABLE));
    this.createTable = entry.config().getBoolean("create_table", true);
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setSsl("https".equals(url.getScheme()))
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    int connections = Math.max(2, entry.queue().maxShards() + 1);
    client = context.vertx().httpClientBuilder().with(options)
        .with(new PoolOptions().setHttp1MaxSize(connections)).build();
    if (!createTable) {
      schemaReady = true;
      return Future.succeededFuture();
    }
    return ensureSchema().recover(err -> Future.succeededFuture()); // logged; tried again before the next write
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    long samples = 0;
    for (SeriesBatch b : batches) {
      samples += b.sampleCount();
    }
    if (samples == 0) {
      return Future.succeededFuture();
    }
    Buffer body = encoder.encode(batches);
    String what = "insert of " + samples + " samples into " + table.qualifiedName() + " at " + endpoint;
    Future<Void> ready = schemaReady ? Future.succeededFuture() : ensureSchema();
    return ready.compose(v -> post(ClickHouseTable.withQuery(basePath, table.insert()), body, what));
  }

  /** Creates the database and the table once at a time; later writes wait for a pending attempt. */
  private Future<Void> ensureSchema() {
    if (schemaPending != null) {
      return schemaPending;
    }
    String what = "creating " + table.qualifiedName() + " at " + endpoint;
    Future<Void> attempt = post(basePath, Buffer.buffer(table.createDatabase()), what)
        .compose(v -> post(basePath, Buffer.buffer(table.createTable()), what));
    schemaPending = attempt;
    attempt.onComplete(ar -> {
      if (schemaPending == attempt) {
        schemaPending = null;
      }
      schemaReady = ar.succeeded();
      if (ar.failed()) {
        schemaLog.warn("writer {}: cannot create {}, trying again before the next write: {}", entry.name(),
            table.qualifiedName(), ar.cause().getMessage());
      }
    });
    return attempt;
  }

  /** POSTs a body to a URI of the server; fails with a classified {@link WriteException}. */
  private Future<Void> post(String uri, Buffer body, String what) {
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port(url))
        .setURI(uri).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req)
        .compose(r -> {
          try {
            entry.http().addTo(r.headers());
          } catch (IOException e) {
            r.reset();
            return Future.failedFuture(WriteException.retryable("clickhouse " + what
                + ": cannot read a credentials file: " + e.getMessage(), e));
          }
          r.putHeader("User-Agent", "Clymene/" + context.version());
          return r.send(body);
        })
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200 ? Future.<Void>succeededFuture()
            : Future.failedFuture(ClickHouseErrors.classify(resp.statusCode(), b, what))))
        .recover(err -> Future.failedFuture(err instanceof WriteException ? err
            : WriteException.retryable("clickhouse " + what + " failed: " + err, err)));
  }

  private static int port(URI url) {
    return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
  }

  @Override
  public Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
