package io.clymene.storage.embedded;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.lineprotocol.LineProtocolDialect;
import io.clymene.storage.lineprotocol.LineProtocolEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes to the embedded QuestDB through its line-protocol HTTP endpoint on loopback; the server
 * itself runs on a worker thread's start and stop.
 */
final class EmbeddedWriter implements StorageWriter {
  private final WriterContext context;
  private final StorageEntry entry;
  private final EmbeddedQuestDb db;
  private final String host;
  private final int port;
  private final LineProtocolEncoder encoder = new LineProtocolEncoder(LineProtocolDialect.QUESTDB);
  private HttpClient client;

  EmbeddedWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    JsonObject c = entry.config();
    this.host = c.getString("http_host", EmbeddedStorageProvider.DEFAULT_HTTP_HOST);
    this.port = c.getInteger("http_port", EmbeddedStorageProvider.DEFAULT_HTTP_PORT);
    this.db = new EmbeddedQuestDb(Path.of(c.getString("data_dir", EmbeddedStorageProvider.DEFAULT_DATA_DIR)),
        host, port, entry.path() + ".http_port");
  }

  @Override
  public Future<Void> start() {
    return context.vertx().<Void>executeBlocking(() -> {
      db.start();
      return null;
    }).onSuccess(v -> client = context.vertx().createHttpClient(new HttpClientOptions()
        .setDefaultHost(connectHost()).setDefaultPort(port).setKeepAlive(true)));
  }

  private String connectHost() {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    Buffer body = Buffer.buffer(encoder.encode(batches));
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setURI("/write?precision=ms")
        .setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req)
        .compose(r -> r.putHeader("Content-Type", "text/plain; charset=utf-8").send(body))
        .recover(err -> Future.failedFuture(WriteException.retryable("embedded store unreachable: " + err, err)))
        .compose(resp -> resp.body().compose(b -> {
          int code = resp.statusCode();
          if (code / 100 == 2) {
            return Future.<Void>succeededFuture();
          }
          String msg = "embedded store answered " + code + ": " + b.toString().trim();
          return Future.failedFuture(code >= 500 || code == 429 ? WriteException.retryable(msg, null)
              : WriteException.rejected(msg));
        }));
  }

  @Override
  public Future<Void> stop() {
    Future<Void> closed = client == null ? Future.succeededFuture() : client.close();
    return closed.transform(ar -> context.vertx().executeBlocking(() -> {
      db.stop();
      return null;
    }));
  }
}
