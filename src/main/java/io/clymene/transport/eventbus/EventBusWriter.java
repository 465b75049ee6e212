package io.clymene.transport.eventbus;

import static io.clymene.storage.Batches.firstSeries;
import static io.clymene.storage.Batches.oneLine;
import static io.clymene.storage.Batches.sampleCount;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code eventbus} writer: sends each write as one remote-write 1.0 {@code WriteRequest} (protobuf, not
 * snappy-compressed) in a {@link Buffer} to {@code address} on the clustered event bus with {@code request()},
 * and takes the reply as the acknowledgement. Vert.x picks the consumer (round robin over the members that
 * registered the address, then over their local consumers).
 *
 * <p>The answers, as the queue needs them: a reply is success; failure code {@value #FULL} (the gateway's
 * output is full) is throttled; {@value #BAD_REQUEST} (the gateway could not decode the data) rejects the
 * request, quoting the gateway; no consumer (no gateway in the cluster yet, or one restarting), a timeout
 * and any other failure are retryable. The queue retries with backoff and spills to disk, so nothing is
 * lost while no gateway is there.
 */
final class EventBusWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusWriter.class);
  /** The failure code of a gateway whose output is full. */
  static final int FULL = 429;
  /** The failure code of a gateway that could not decode the request. */
  static final int BAD_REQUEST = 400;
  /** The header naming the message, as the remote-write Content-Type does. */
  static final String CONTENT_TYPE = "content-type";
  /** The media type of a remote-write 1.0 message. */
  static final String REMOTE_WRITE_V1 = "application/x-protobuf;proto=prometheus.WriteRequest";
  /** How much of a gateway's failure message goes into errors and logs. */
  static final int MAX_MESSAGE_CHARS = 256;

  private final WriterContext context;
  private final StorageEntry entry;
  private final String address;
  private final Duration timeout;
  private final RemoteWriteEncoder encoder = new RemoteWriteEncoder();
  private final ThrottledLog downLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog rejectLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private volatile boolean consumerUp;

  EventBusWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    this.address = entry.config().getString("address", Addresses.GATEWAY_WRITE);
    this.timeout = entry.http().timeout();
    Gauge.builder("clymene.eventbus.consumer.up", this, w -> w.consumerUp ? 1 : 0)
        .description("1 while an eventbus writer's last request reached a gateway consumer, 0 while there was "
            + "none or it did not answer")
        .tag("writer", entry.name()).tag("address", address).strongReference(true).register(context.registry());
  }

  @Override
  public Future<Void> start() {
    if (!context.vertx().isClustered()) {
      return Future.failedFuture(new IllegalStateException("writer " + entry.name() + " (" + entry.path()
          + "): the eventbus output needs a clustered Vert.x; start with --cluster (cluster.enabled: true)"));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    byte[] raw = encoder.encode(batches);
    if (raw.length == 0) {
      return Future.succeededFuture();
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, timeout.toMillis()))
        .addHeader(CONTENT_TYPE, REMOTE_WRITE_V1);
    return context.vertx().eventBus().request(address, Buffer.buffer(raw), options).transform(ar -> {
      if (ar.succeeded()) {
        count("ok");
        if (!consumerUp) {
          consumerUp = true;
          LOG.info("writer {}: a gateway consumer on {} answers; sending", entry.name(), address);
        }
        return Future.succeededFuture();
      }
      return Future.failedFuture(failure(ar.cause(), batches));
    });
  }

  private WriteException failure(Throwable cause, List<SeriesBatch> batches) {
    if (!(cause instanceof ReplyException re)) {
      count("error");
      return WriteException.retryable("event-bus request to " + address + " failed: "
          + oneLine(cause.toString(), MAX_MESSAGE_CHARS),
          cause);
    }
    ReplyFailure type = re.failureType();
    if (type == ReplyFailure.NO_HANDLERS) {
      count("no_handlers");
      consumerUp = false;
      downLog.warn("writer {}: no gateway consumer on {} yet, retrying (a gateway or all-in-one started with "
          + "--cluster, in the same cluster, registers it)", entry.name(), address);
      return WriteException.retryable("no gateway consumer on " + address + " yet", re);
    }
    if (type == ReplyFailure.TIMEOUT) {
      count("timeout");
      consumerUp = false;
      downLog.warn("writer {}: no answer on {} within {}ms, retrying", entry.name(), address, timeout.toMillis());
      return WriteException.retryable("no answer on " + address + " within " + timeout.toMillis() + "ms", re);
    }
    consumerUp = true;
    if (type == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == FULL) {
      count("throttled");
      return WriteException.throttled("the gateway on " + address + " is full ("
          + oneLine(re.getMessage(), MAX_MESSAGE_CHARS) + ")",
          null);
    }
    if (type == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() == BAD_REQUEST) {
      count("rejected");
      String line = "the gateway on " + address + " rejected " + sampleCount(batches) + " samples ("
          + oneLine(re.getMessage(), MAX_MESSAGE_CHARS) + "); first series " + firstSeries(batches);
      rejectLog.warn("writer {}: {}", entry.name(), line);
      return WriteException.rejected(line);
    }
    count("failed");
    return WriteException.retryable("the gateway on " + address + " failed the request (" + type + " "
        + re.failureCode() + ": " + oneLine(re.getMessage(), MAX_MESSAGE_CHARS) + ")", re);
  }

  private void count(String outcome) {
    Counter.builder("clymene.eventbus.requests")
        .description("Requests an eventbus writer sent, by outcome (ok, no_handlers, timeout, throttled, rejected, "
            + "failed, error)")
        .tag("writer", entry.name()).tag("outcome", outcome).register(context.registry()).increment();
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }
}
