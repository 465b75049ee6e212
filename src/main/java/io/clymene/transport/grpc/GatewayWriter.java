package io.clymene.transport.grpc;

import static io.clymene.storage.Batches.firstSeries;
import static io.clymene.storage.Batches.oneLine;
import static io.clymene.storage.Batches.sampleCount;

import io.clymene.config.Durations;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.OAuth2Tokens;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gateway} writer: sends each write as remote-write 1.0 {@code WriteRequest}s to a Clymene
 * gateway over gRPC, on one {@code StreamMetrics} call or as {@code RequestMetrics} calls (the Go
 * Clymene's), a message never larger than {@code max_message_size}. Credentials and headers go as gRPC
 * metadata.
 *
 * <p>Endpoints are used round robin ({@link GatewayEndpoints}). A call failing with a connection error,
 * UNAVAILABLE or DEADLINE_EXCEEDED marks its endpoint down; any failure but RESOURCE_EXHAUSTED and the
 * rejections is tried again at once on the next endpoint (failover), and only when no endpoint is left
 * does the write fail, retryable, back to the queue. RESOURCE_EXHAUSTED fails it as throttled (with the
 * gateway's {@code retry-after}, if any); INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED and
 * UNIMPLEMENTED reject it, quoting the gateway.
 */
final class GatewayWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayWriter.class);
  /** Longest wait for a connection, within the call's deadline. */
  static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How much of a gateway's status message goes into errors and logs. */
  static final int MAX_STATUS_MESSAGE_CHARS = 256;

  private final WriterContext context;
  private final StorageEntry entry;
  private final GatewayEndpoints endpoints;
  private final GatewayRpc rpc;
  private final long maxMessageBytes;
  private final String serverName;
  private final Duration timeout;
  private final OAuth2Tokens oauth2;
  private final RemoteWriteEncoder encoder = new RemoteWriteEncoder();
  private final Counter failovers;
  private final ThrottledLog downLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog rejectLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private HttpClientAgent http;
  private GrpcClient client;

  GatewayWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    JsonObject config = entry.config();
    List<GatewayEndpoint> list = new ArrayList<>();
    for (Object o : config.getJsonArray("endpoints", new JsonArray())) {
      list.add(GatewayEndpoint.parse(String.valueOf(o)));
    }
    this.endpoints = new GatewayEndpoints(list, System::nanoTime);
    this.rpc = GatewayRpc.fromConfig(config.getString("rpc"));
    this.maxMessageBytes = config.getLong("max_message_size", GatewayProvider.DEFAULT_MAX_MESSAGE_SIZE);
    JsonObject tls = config.getJsonObject("tls");
    this.serverName = tls == null ? null : tls.getString("server_name");
    this.timeout = entry.http().timeout();
    JsonObject oauth = config.getJsonObject("oauth2");
    this.oauth2 = oauth == null ? null : new OAuth2Tokens(context.vertx(), oauth);
    this.failovers = Counter.builder("clymene.gateway.failovers")
        .description("Writes a gateway writer sent again to another endpoint after a failed call")
        .tag("writer", entry.name()).register(context.registry());
    for (GatewayEndpoint e : endpoints.all()) {
      Gauge.builder("clymene.gateway.endpoint.up", e, x -> x.up() ? 1 : 0)
          .description("1 while a gateway writer considers the endpoint reachable, 0 while it is marked down")
          .tag("writer", entry.name()).tag("endpoint", e.name()).strongReference(true)
          .register(context.registry());
    }
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false) // plain text: HTTP/2 with prior knowledge, as gRPC clients do
        .setConnectTimeout((int) Math.min(MAX_CONNECT_TIMEOUT.toMillis(), Math.max(1, timeout.toMillis())));
    if (entry.http().hasTls()) {
      options.setSsl(true).setUseAlpn(true);
      entry.http().applyTls(options);
      options.setForceSni(serverName != null);
    }
    http = context.vertx().httpClientBuilder().with(options).build();
    HttpClient named = serverName == null ? http : new ServerNameHttpClient(http, serverName);
    client = GrpcClient.client(context.vertx(), named);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    byte[] raw = encoder.encode(batches);
    if (raw.length == 0) {
      return Future.succeededFuture();
    }
    List<Buffer> messages = WriteRequestSplitter.split(raw, maxMessageBytes);
    return metadata().compose(headers -> attempt(batches, messages, headers, new ArrayList<>(), 0, null));
  }

  /** Tries the next endpoint; {@code done} messages were already acknowledged (unary calls). */
  private Future<Void> attempt(List<SeriesBatch> batches, List<Buffer> messages, MultiMap headers,
                               List<GatewayEndpoint> tried, int done, GatewayCallException last) {
    GatewayEndpoints.Pick pick = endpoints.next(tried);
    if (pick == null) {
      GatewayEndpoint lastEndpoint = tried.get(tried.size() - 1);
      return Future.failedFuture(WriteException.retryable("gateway write failed on " + tried + "; last: "
          + lastEndpoint + " " + oneLine(last.getMessage(), MAX_STATUS_MESSAGE_CHARS), last));
    }
    GatewayEndpoint e = pick.endpoint();
    tried.add(e);
    if (last != null) {
      failovers.increment();
    }
    GatewayCall call = new GatewayCall(context.vertx(), client, e, timeout, headers);
    Future<Void> sent = rpc == GatewayRpc.STREAM ? call.stream(messages, done) : call.unary(messages, done);
    return sent.transform(ar -> {
      if (ar.succeeded()) {
        countCall(e, "OK");
        if (e.markUp()) {
          LOG.info("writer {}: gateway {} answers again; sending to it", entry.name(), e);
        }
        return Future.succeededFuture();
      }
      GatewayCallException f = GatewayCallException.of(ar.cause());
      countCall(e, f.statusName());
      int acknowledged = done + call.acknowledged();
      switch (f.kind()) {
        case DOWN -> {
          if (e.markDown(endpoints.nanoTime(), pick.probe())) {
            downLog.warn("writer {}: gateway {} failed ({}); marked down, probing again in {}; {}", entry.name(),
                e, oneLine(f.getMessage(), MAX_STATUS_MESSAGE_CHARS), Durations.format(e.backoff()), alternatives(e));
          }
          return attempt(batches, messages, headers, tried, acknowledged, f);
        }
        case RETRY -> {
          e.markUp(); // it answered: reachable
          return attempt(batches, messages, headers, tried, acknowledged, f);
        }
        case THROTTLED -> {
          e.markUp();
          return Future.failedFuture(WriteException.throttled("gateway " + e + " is full ("
              + oneLine(f.getMessage(), MAX_STATUS_MESSAGE_CHARS) + ")", f.retryAfter()));
        }
        default -> {
          e.markUp();
          return Future.failedFuture(rejected(e, f, batches));
        }
      }
    });
  }

  private WriteException rejected(GatewayEndpoint e, GatewayCallException f, List<SeriesBatch> batches) {
    String hint = "";
    if (f.status() == GrpcStatus.UNIMPLEMENTED && rpc == GatewayRpc.STREAM) {
      hint = " (the gateway does not offer StreamMetrics; set rpc: unary for a gateway that speaks only the "
          + "Go Clymene's RequestMetrics)";
    }
    String line = "gateway " + e + " rejected " + sampleCount(batches) + " samples ("
        + oneLine(f.getMessage(), MAX_STATUS_MESSAGE_CHARS) + ")"
        + hint + "; first series " + firstSeries(batches);
    rejectLog.warn("writer {}: {}", entry.name(), line);
    return WriteException.rejected(line);
  }

  /** The configured headers and credentials as gRPC metadata (lower-case keys, as HTTP/2 requires). */
  private Future<MultiMap> metadata() {
    MultiMap collected = MultiMap.caseInsensitiveMultiMap();
    try {
      entry.http().addTo(collected);
    } catch (IOException e) {
      return Future.failedFuture(WriteException.retryable("cannot read a credentials file: " + e.getMessage(), e));
    }
    collected.set("user-agent", "Clymene/" + context.version());
    Future<MultiMap> ready = Future.succeededFuture(collected);
    if (oauth2 != null) {
      ready = oauth2.token()
          .recover(err -> Future.failedFuture(WriteException.retryable("cannot get an OAuth 2.0 token: "
              + err.getMessage(), err)))
          .map(t -> collected.set("authorization", "Bearer " + t));
    }
    return ready.map(m -> {
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      for (Map.Entry<String, String> h : m) {
        out.add(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
      }
      return out;
    });
  }

  private void countCall(GatewayEndpoint e, String status) {
    Counter.builder("clymene.gateway.calls")
        .description("Calls a gateway writer made, by endpoint and gRPC status (CONNECTION_ERROR without one)")
        .tag("writer", entry.name()).tag("endpoint", e.name()).tag("status", status)
        .register(context.registry()).increment();
  }

  private String alternatives(GatewayEndpoint down) {
    for (GatewayEndpoint e : endpoints.all()) {
      if (e != down && e.up()) {
        return "failing over to the other endpoints";
      }
    }
    return "no endpoint is up, writes keep trying the one due soonest";
  }

  @Override
  public Future<Void> stop() {
    if (oauth2 != null) {
      oauth2.close();
    }
    Future<Void> closed = client == null ? Future.succeededFuture() : client.close();
    return http == null ? closed : closed.transform(ar -> http.close());
  }
}
