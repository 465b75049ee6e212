package io.clymene.storage.opentsdb;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.UnsupportedValues;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTSDB's telnet protocol: {@code put <metric> <seconds> <value> <k=v ...>} lines over plain TCP
 * ({@code address: host:port}), with a Vert.x {@link NetClient}. Each queue shard writes on a connection
 * of its own (opened on demand, at most one per shard); a write completes when its bytes are flushed to
 * the socket. The protocol has no acknowledgement, so:
 * <ul>
 *   <li>a connection that breaks fails the write on it as retryable (the queue sends it again after its
 *       backoff, which is also the reconnect backoff), and the bytes written on it in the last
 *       {@link #REPLAY_WINDOW} (which the server may not have read before it closed) are sent again
 *       before the next write: at least once, so a restart of the server can duplicate up to a second of
 *       points (idempotent in OpenTSDB, which overwrites the same cell; duplicates in other stores);
 *   <li>error lines the TSD sends back cannot be tied to points: they are logged (throttled).
 * </ul>
 */
final class TelnetPutWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(TelnetPutWriter.class);
  /** How far back bytes are resent after a connection broke. */
  static final Duration REPLAY_WINDOW = Duration.ofSeconds(1);
  /** The most bytes kept for a replay per connection. */
  static final int REPLAY_MAX_BYTES = 8 << 20;

  private final WriterContext context;
  private final StorageEntry entry;
  private final String host;
  private final int port;
  private final PutEncoder encoder;
  private final UnsupportedValues unsupported;
  private final ThrottledLog rejectLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog answerLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog brokenLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ArrayDeque<TelnetConnection> idle = new ArrayDeque<>();
  private final List<TelnetConnection> all = new ArrayList<>();
  /** Bytes to send again before the next write (from connections that broke). */
  private Buffer replay;
  private NetClient client;

  TelnetPutWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    String address = entry.config().getString("address");
    int colon = address.lastIndexOf(':');
    this.host = address.substring(0, colon).replaceAll("^\\[|]$", "");
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.encoder = new PutEncoder(entry.config().getInteger("max_tags", OpenTsdbProvider.DEFAULT_MAX_TAGS));
    this.unsupported = new UnsupportedValues(context.registry(), entry.name(), "NaN and ±Inf (OpenTSDB)");
  }

  @Override
  public Future<Void> start() {
    client = context.vertx().createNetClient(new NetClientOptions().setTcpKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis())));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    Buffer data = encoder.telnet(batches);
    if (encoder.unsupported() > 0) {
      unsupported.count(encoder.unsupported());
    }
    long rejected = encoder.rejected();
    String why = encoder.firstRejection();
    Future<Void> sent = data.length() == 0 && replay == null ? Future.succeededFuture() : send(data);
    return sent.compose(v -> {
      if (rejected == 0) {
        return Future.succeededFuture();
      }
      rejectLog.warn("writer {}: {} samples not sent to OpenTSDB at {}:{}; first: {}", entry.name(), rejected,
          host, port, why);
      return Future.failedFuture(WriteException.partial("opentsdb " + host + ":" + port + ": " + rejected
          + " samples rejected (" + why + ")", List.of(), rejected));
    });
  }

  private Future<Void> send(Buffer data) {
    Buffer again = replay;
    replay = null;
    Buffer bytes = again == null ? data : again.copy().appendBuffer(data);
    return connection().compose(c -> c.write(bytes).onSuccess(v -> idle.push(c)))
        .recover(err -> {
          if (again != null) {
            replay = replay == null ? again : again.copy().appendBuffer(replay);
          }
          return Future.failedFuture(WriteException.retryable("opentsdb telnet " + host + ":" + port + ": "
              + err.getMessage(), err));
        });
  }

  private Future<TelnetConnection> connection() {
    TelnetConnection c;
    while ((c = idle.poll()) != null) {
      if (c.alive()) {
        return Future.succeededFuture(c);
      }
    }
    return client.connect(port, host).map(socket -> {
      TelnetConnection conn = new TelnetConnection(socket, REPLAY_WINDOW, REPLAY_MAX_BYTES,
          line -> answerLog.warn("writer {}: OpenTSDB at {}:{} answered: {}", entry.name(), host, port, line),
          this::broken);
      all.add(conn);
      return conn;
    });
  }

  /** A connection closed under us: forget it, and keep what it wrote lately for a replay. */
  private void broken(TelnetConnection c, Buffer recent) {
    all.remove(c);
    idle.remove(c);
    brokenLog.warn("writer {}: the connection to OpenTSDB at {}:{} closed; reconnecting (resending {} bytes "
        + "written in the last {} ms)", entry.name(), host, port, recent.length(), REPLAY_WINDOW.toMillis());
    if (recent.length() > 0) {
      replay = replay == null ? recent : replay.appendBuffer(recent);
    }
  }

  @Override
  public Future<Void> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (TelnetConnection c : new ArrayList<>(all)) {
      closing.add(c.close());
    }
    all.clear();
    idle.clear();
    return Future.join(closing).transform(ar -> client == null ? Future.succeededFuture() : client.close());
  }
}
