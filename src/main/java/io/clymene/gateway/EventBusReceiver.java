package io.clymene.gateway;

import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.DecodedWrite;
import io.clymene.gateway.decode.DecodedWrite.Version;
import io.clymene.gateway.decode.RemoteWriteDecoder;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's receiver on the clustered event bus: a cluster-wide consumer of an address (by default
 * {@code clymene.gateway.write}) to which agents with {@code agent.output: eventbus} send remote-write 1.0
 * {@code WriteRequest}s (protobuf, not snappy-compressed, in a {@link Buffer}; an optional {@code content-type}
 * header names the message as the remote-write Content-Type does). Deployed once per event loop, only when
 * Vert.x is clustered; each copy has its own decoder.
 *
 * <p>A request is decoded, given to the output and answered: a reply (an empty body) once the output took it;
 * failure code 429 with the reason when the output is full (the writer retries later), 400 naming the problem
 * when the data cannot be decoded (the writer drops it, counted), 503 when the output cannot take data at all.
 * Counted as protocol {@code eventbus} in the gateway's meters like the other receivers.
 */
public final class EventBusReceiver extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusReceiver.class);
  /** The protocol name in the gateway's meters. */
  static final String PROTOCOL = "eventbus";
  /** The failure code of a full output. */
  public static final int FULL = 429;
  /** The failure code of data that cannot be decoded. */
  public static final int BAD_REQUEST = 400;
  /** The failure code of an output that cannot take data. */
  public static final int UNAVAILABLE = 503;

  private final String address;
  private final int maxRequestBytes;
  private final GatewayOutput output;
  private final GatewayMetrics metrics;
  private final ThrottledLog badRequestLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog fullLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private RemoteWriteDecoder decoder;
  private MessageConsumer<Object> consumer;

  /**
   * @param address the address to consume
   * @param maxRequestBytes the largest message accepted ({@code gateway.max_request_size})
   * @param output where received batches go
   * @param metrics the gateway's meters, shared by every receiver
   */
  public EventBusReceiver(String address, int maxRequestBytes, GatewayOutput output, GatewayMetrics metrics) {
    this.address = address;
    this.maxRequestBytes = maxRequestBytes;
    this.output = output;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    decoder = new RemoteWriteDecoder(maxRequestBytes);
    consumer = vertx.eventBus().consumer(address, this::receive);
    // completes once the registration is known to the cluster
    return consumer.completion();
  }

  private void receive(Message<Object> msg) {
    DecodedWrite w;
    try {
      if (!(msg.body() instanceof Buffer body)) {
        throw new DecodeException(DecodeException.BAD_REQUEST, "expected a Buffer holding a remote-write "
            + "WriteRequest, got " + (msg.body() == null ? "no body" : msg.body().getClass().getSimpleName()));
      }
      Version version = RemoteWriteDecoder.versionOf(msg.headers().get("content-type"));
      byte[] bytes = body.getBytes();
      w = decoder.decodeMessage(version, bytes, bytes.length);
    } catch (DecodeException e) {
      badRequestLog.warn("gateway: event-bus request on {} refused (400): {}", address, e.getMessage());
      metrics.request(PROTOCOL, Integer.toString(BAD_REQUEST));
      msg.fail(BAD_REQUEST, e.getMessage());
      return;
    }
    int samples = w.samples();
    output.write(w.batch()).onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.samples(PROTOCOL, samples);
        metrics.request(PROTOCOL, "200");
        msg.reply(null);
      } else if (ar.cause() instanceof OutputFullException full) {
        metrics.throttled(PROTOCOL);
        metrics.request(PROTOCOL, Integer.toString(FULL));
        fullLog.warn("gateway: output full ({}); failing event-bus requests on {} with 429, senders retry later",
            full.getMessage(), address);
        msg.fail(FULL, "the gateway's output is full (" + full.getMessage() + ")");
      } else {
        metrics.request(PROTOCOL, Integer.toString(UNAVAILABLE));
        fullLog.warn("gateway: output refused an event-bus request on {}: {}", address, ar.cause().getMessage());
        msg.fail(UNAVAILABLE, "the gateway's output is not available: " + ar.cause().getMessage());
      }
    });
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
