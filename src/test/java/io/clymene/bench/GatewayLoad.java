package io.clymene.bench;

import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.ServiceProto.MetricsResponse;
import io.clymene.proto.prometheus.Types.Label;
import io.clymene.proto.prometheus.Types.Sample;
import io.clymene.proto.prometheus.Types.TimeSeries;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.xerial.snappy.Snappy;

/**
 * A load generator for the gateway, run as its own JVM by {@code scripts/bench-gateway}: C concurrent
 * lanes (each its own connection, spread over this process' event loops) send a pool of pre-encoded,
 * distinct remote-write 1.0 requests (node_exporter / kube-like series of 8 labels, one sample each), so
 * that nothing but sending is measured here. After a warm-up it measures a window and counts only
 * acknowledged samples (gRPC OK, HTTP 204/200).
 *
 * <ul>
 *   <li>{@code grpc-stream}: each lane opens a {@code StreamMetrics} call, writes {@code --messages}
 *       messages as fast as HTTP/2 flow control lets it, ends the stream, waits for OK, and opens the next.
 *       A stream's samples count when its OK arrives.</li>
 *   <li>{@code grpc-unary}: each lane calls {@code RequestMetrics} in a loop, one request in flight.</li>
 *   <li>{@code http}: each lane POSTs snappy bodies to {@code --path} on a keep-alive HTTP/1.1 connection
 *       (or HTTP/2 with {@code --http2}), one request in flight.</li>
 * </ul>
 *
 * <p>Besides the rates it reports this process' CPU, the target's CPU and resident memory ({@code --pid}),
 * the whole machine's busy cores, and the target's own ingest counter over the same window
 * ({@code --metrics-url} and {@code --metric}: the sum of the exposition lines that start with it). The last
 * line, {@code RESULT key=value ...}, is for scripts.
 */
public final class GatewayLoad {
  private static final ServiceName SERVICE = ServiceName.create("prometheus", "ClymeneService");
  private static final ServiceMethod<MetricsResponse, Buffer> STREAM = ServiceMethod.client(SERVICE,
      "StreamMetrics", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.decoder(MetricsResponse.newBuilder()));
  private static final ServiceMethod<MetricsResponse, Buffer> UNARY = ServiceMethod.client(SERVICE,
      "RequestMetrics", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.decoder(MetricsResponse.newBuilder()));
  private static final String[] METRICS = {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
      "node_network_receive_bytes_total", "node_filesystem_avail_bytes", "container_cpu_usage_seconds_total",
      "container_memory_working_set_bytes", "kube_pod_status_phase", "http_requests_total",
      "process_resident_memory_bytes", "go_gc_duration_seconds_count"};

  private final Map<String, String> opts;
  private final String mode;
  private final int concurrency;
  private final int series;
  private final int messagesPerStream;
  private final String host;
  private final int port;
  private final List<Buffer> pool = new ArrayList<>();
  private final LongAdder samples = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder streams = new LongAdder();
  private final LongAdder throttled = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private volatile boolean running = true;
  private volatile String lastError = "";

  private GatewayLoad(Map<String, String> opts) {
    this.opts = opts;
    this.mode = opts.getOrDefault("mode", "grpc-stream");
    this.concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "4"));
    this.series = Integer.parseInt(opts.getOrDefault("series", "2000"));
    this.messagesPerStream = Integer.parseInt(opts.getOrDefault("messages", "50"));
    String[] target = opts.getOrDefault("target", "127.0.0.1:8080").split(":");
    this.host = target[0];
    this.port = Integer.parseInt(target[1]);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        opts.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        opts.put(a.substring(2), args[++i]);
      } else {
        opts.put(a.substring(2), "true");
      }
    }
    new GatewayLoad(opts).run();
    System.exit(0);
  }

  private void run() throws Exception {
    int poolSize = Integer.parseInt(opts.getOrDefault("pool", "32"));
    long rawBytes = 0;
    long wireBytes = 0;
    for (int r = 0; r < poolSize; r++) {
      byte[] msg = request(r, series).toByteArray();
      byte[] body = mode.equals("http") ? Snappy.compress(msg) : msg;
      rawBytes += msg.length;
      wireBytes += body.length;
      if (mode.equals("grpc-h2")) {
        // gRPC's length prefix baked in, in direct memory: Netty writes it to the socket without copying
        io.netty.buffer.ByteBuf framed = io.netty.buffer.Unpooled.directBuffer(body.length + 5)
            .writeByte(0).writeInt(body.length).writeBytes(body);
        pool.add(io.vertx.core.internal.buffer.BufferInternal.buffer(framed));
      } else {
        pool.add(Buffer.buffer(body));
      }
    }
    System.out.printf(Locale.ROOT, "%s: %d lanes -> %s:%d, pool of %d requests x %d series (%d bytes each, "
            + "%d on the wire)%n", mode, concurrency, host, port, poolSize, series, rawBytes / poolSize,
        wireBytes / poolSize);
    int loops = Integer.parseInt(opts.getOrDefault("event-loops", "2"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    for (int lane = 0; lane < concurrency; lane++) {
      // from a non-Vert.x thread every call makes a new context, round-robin over the event loops
      Context ctx = vertx.getOrCreateContext();
      int first = lane * poolSize / concurrency;
      ctx.runOnContext(v -> startLane(vertx, first));
    }
    long warmup = Long.parseLong(opts.getOrDefault("warmup", "10"));
    long duration = Long.parseLong(opts.getOrDefault("duration", "20"));
    Thread.sleep(warmup * 1000);
    received(); // the first scrape loads classes and connects; keep that out of the window's edges
    Snapshot a = snapshot();
    long rssMax = 0;
    long rssSum = 0;
    int rssN = 0;
    long end = a.nanos + duration * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      long rss = rssKib();
      rssMax = Math.max(rssMax, rss);
      rssSum += rss;
      rssN++;
    }
    Snapshot b = snapshot();
    running = false;
    report(a, b, rssMax, rssN == 0 ? 0 : rssSum / rssN);
    // main() exits without closing Vert.x: calls still in flight would only log their resets
  }

  private void startLane(Vertx vertx, int first) {
    switch (mode) {
      case "grpc-stream" -> new GrpcLane(GrpcClient.client(vertx), true, first).next();
      case "grpc-unary" -> new GrpcLane(GrpcClient.client(vertx), false, first).next();
      case "http" -> new HttpLane(vertx, first).next();
      case "grpc-h2" -> new RawGrpcLane(vertx, first).next();
      default -> throw new IllegalArgumentException("unknown --mode " + mode
          + " (grpc-stream, grpc-h2, grpc-unary or http)");
    }
  }

  /** One gRPC call at a time on its own HTTP/2 connection. */
  private final class GrpcLane {
    final GrpcClient client;
    final boolean stream;
    final SocketAddress address = SocketAddress.inetSocketAddress(port, host);
    int cursor;

    GrpcLane(GrpcClient client, boolean stream, int first) {
      this.client = client;
      this.stream = stream;
      this.cursor = first;
    }

    Buffer nextBody() {
      Buffer b = pool.get(cursor);
      cursor = (cursor + 1) % pool.size();
      return b;
    }

    void next() {
      if (!running) {
        return;
      }
      client.request(address, stream ? STREAM : UNARY).onComplete(ar -> {
        if (ar.failed()) {
          error(ar.cause().toString());
          Vertx.currentContext().owner().setTimer(100, t -> next());
          return;
        }
        GrpcClientRequest<Buffer, MetricsResponse> req = ar.result();
        int[] sent = {0};
        boolean[] answered = {false};
        req.response().onComplete(rr -> {
          answered[0] = true;
          if (rr.failed()) {
            error(rr.cause().toString());
            next();
            return;
          }
          var resp = rr.result();
          resp.handler(m -> { });
          resp.end().onComplete(e -> {
            if (resp.status() == GrpcStatus.OK) {
              samples.add((long) sent[0] * series);
              requests.add(sent[0]);
              streams.increment();
            } else if (resp.status() == GrpcStatus.RESOURCE_EXHAUSTED) {
              throttled.increment();
            } else {
              error(resp.status() + ": " + resp.statusMessage());
            }
            next();
          });
        });
        if (stream) {
          pump(req, sent, answered);
        } else {
          sent[0] = 1;
          req.end(nextBody());
        }
      });
    }

    /** Writes while the stream has room; ends it after the last message (or early when stopping). */
    void pump(GrpcClientRequest<Buffer, MetricsResponse> req, int[] sent, boolean[] answered) {
      while (!answered[0] && running && sent[0] < messagesPerStream - 1 && !req.writeQueueFull()) {
        req.write(nextBody());
        sent[0]++;
      }
      if (answered[0]) {
        return; // refused mid-stream
      }
      if (!running || sent[0] >= messagesPerStream - 1) {
        sent[0]++;
        req.end(nextBody());
      } else {
        req.drainHandler(v -> pump(req, sent, answered));
      }
    }
  }

  /** One POST at a time on its own keep-alive connection. */
  /**
   * StreamMetrics spoken over a plain HTTP/2 client with messages framed ahead of time in direct memory:
   * the same bytes on the wire as {@code grpc-stream}, for a fraction of the generator's CPU (the Vert.x
   * gRPC client copies every message into a new framed heap buffer, which Netty copies again).
   */
  private final class RawGrpcLane {
    final HttpClient client;
    final RequestOptions request;
    int cursor;

    RawGrpcLane(Vertx vertx, int first) {
      client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setTcpNoDelay(true), new PoolOptions().setHttp2MaxSize(1));
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/grpc")
          .add("te", "trailers");
      request = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
          .setURI("/prometheus.ClymeneService/StreamMetrics").setHeaders(headers);
      cursor = first;
    }

    void next() {
      if (!running) {
        return;
      }
      client.request(request).onComplete(ar -> {
        if (ar.failed()) {
          error(ar.cause().toString());
          Vertx.currentContext().owner().setTimer(100, t -> next());
          return;
        }
        var req = ar.result().setChunked(true); // HTTP/2: no Content-Length needed, data frames as written
        int[] sent = {0};
        req.response().compose(resp -> resp.body().map(b -> {
          String status = resp.getTrailer("grpc-status") != null ? resp.getTrailer("grpc-status")
              : resp.getHeader("grpc-status");
          return status;
        })).onComplete(rr -> {
          if (rr.failed()) {
            error(rr.cause().toString());
          } else if ("0".equals(rr.result())) {
            samples.add((long) sent[0] * series);
            requests.add(sent[0]);
            streams.increment();
          } else if ("8".equals(rr.result())) {
            throttled.increment();
          } else {
            error("grpc-status " + rr.result());
          }
          next();
        });
        pump(req, sent);
      });
    }

    void pump(io.vertx.core.http.HttpClientRequest req, int[] sent) {
      while (running && sent[0] < messagesPerStream && !req.writeQueueFull()) {
        Buffer b = pool.get(cursor);
        cursor = (cursor + 1) % pool.size();
        req.write(b.slice());
        sent[0]++;
      }
      if (!running || sent[0] >= messagesPerStream) {
        req.end();
      } else {
        req.drainHandler(v -> pump(req, sent));
      }
    }
  }

  private final class HttpLane {
    final HttpClient client;
    final RequestOptions request;
    int cursor;

    HttpLane(Vertx vertx, int first) {
      boolean h2 = Boolean.parseBoolean(opts.getOrDefault("http2", "false"));
      HttpClientOptions o = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
          .setProtocolVersion(h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1).setHttp2ClearTextUpgrade(false);
      client = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(1).setHttp2MaxSize(1));
      MultiMap headers = MultiMap.caseInsensitiveMultiMap()
          .add("Content-Type", "application/x-protobuf")
          .add("Content-Encoding", "snappy")
          .add("X-Prometheus-Remote-Write-Version", "0.1.0")
          .add("User-Agent", "clymene-gateway-load");
      request = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
          .setURI(opts.getOrDefault("path", "/api/v1/write")).setHeaders(headers);
      cursor = first;
    }

    void next() {
      if (!running) {
        return;
      }
      Buffer body = pool.get(cursor);
      cursor = (cursor + 1) % pool.size();
      client.request(request)
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            if (ar.failed()) {
              error(ar.cause().toString());
            } else if (ar.result() == 204 || ar.result() == 200) {
              samples.add(series);
              requests.increment();
            } else if (ar.result() == 429) {
              throttled.increment();
            } else {
              error("HTTP " + ar.result());
            }
            next();
          });
    }
  }

  private void error(String message) {
    errors.increment();
    lastError = message;
  }

  /** A request of distinct series: request r holds series r*n .. r*n+n-1, timestamps advancing with r. */
  static WriteRequest request(int r, int n) {
    Random rnd = new Random(r);
    long ts = 1_700_000_000_000L + r * 15_000L;
    WriteRequest.Builder w = WriteRequest.newBuilder();
    for (int s = 0; s < n; s++) {
      int id = r * n + s;
      int node = id / 400;
      int pod = id / 40;
      String[] labels = {
          "__name__", METRICS[id % METRICS.length],
          "cluster", "prod-eu-west-" + (node % 3 + 1),
          "container", "app-" + (pod % 97),
          "instance", "10." + (node >> 8 & 255) + "." + (node & 255) + ".17:9100",
          "job", id % 2 == 0 ? "node-exporter" : "kubernetes-pods",
          "namespace", "team-" + (pod % 23),
          "node", String.format(Locale.ROOT, "ip-10-0-%d-%d.eu-west-1.compute.internal", node >> 8 & 255,
              node & 255),
          "pod", "app-" + (pod % 97) + "-" + Integer.toHexString(0x5f3759 + pod) + "-" + (id % 40)};
      TimeSeries.Builder t = TimeSeries.newBuilder();
      for (int i = 0; i < labels.length; i += 2) {
        t.addLabels(Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
      }
      t.addSamples(Sample.newBuilder().setTimestamp(ts).setValue(rnd.nextDouble() * 1e6));
      w.addTimeseries(t);
    }
    return w.build();
  }

  // ---- measurement -------------------------------------------------------------------------------

  private record Snapshot(long nanos, long samples, long requests, long streams, long throttled, long errors,
                          long selfCpuNanos, long targetCpuNanos, double received, long machineBusy,
                          long machineTotal) {
  }

  /** Reads the target's counter first, then everything else at once, so that both count the same span. */
  private Snapshot snapshot() {
    double received = received();
    long[] machine = Probes.machineTicks();
    return new Snapshot(System.nanoTime(), samples.sum(), requests.sum(), streams.sum(), throttled.sum(),
        errors.sum(), Probes.cpuNanos(ProcessHandle.current().pid()),
        targetPid() > 0 ? Probes.cpuNanos(targetPid()) : 0,
        received, machine[0], machine[1]);
  }

  private long targetPid() {
    return Long.parseLong(opts.getOrDefault("pid", "0"));
  }

  private long rssKib() {
    return targetPid() > 0 ? Probes.rssKib(targetPid()) : 0;
  }

  /** The target's ingest counter: the sum of the exposition lines that start with {@code --metric}. */
  private double received() {
    String url = opts.get("metrics-url");
    String metric = opts.get("metric");
    return url == null || metric == null ? Double.NaN : Probes.counter(url, metric);
  }

  private void report(Snapshot a, Snapshot b, long rssMaxKib, long rssMeanKib) {
    double secs = (b.nanos - a.nanos) / 1e9;
    long acked = b.samples - a.samples;
    double received = b.received - a.received;
    double machineCores = Probes.busyCores(new long[] {a.machineBusy, a.machineTotal},
        new long[] {b.machineBusy, b.machineTotal});
    Map<String, String> r = new java.util.LinkedHashMap<>();
    r.put("mode", mode);
    r.put("concurrency", Integer.toString(concurrency));
    r.put("series", Integer.toString(series));
    r.put("window_s", fmt(secs, 1));
    r.put("acked_samples", Long.toString(acked));
    r.put("samples_per_s", fmt(acked / secs, 0));
    r.put("requests_per_s", fmt((b.requests - a.requests) / secs, 1));
    r.put("streams", Long.toString(b.streams - a.streams));
    r.put("throttled", Long.toString(b.throttled - a.throttled));
    r.put("errors", Long.toString(b.errors - a.errors));
    r.put("received_samples", Double.isNaN(received) ? "-" : fmt(received, 0));
    r.put("received_per_s", Double.isNaN(received) ? "-" : fmt(received / secs, 0));
    r.put("gen_cpu_cores", fmt((b.selfCpuNanos - a.selfCpuNanos) / 1e9 / secs, 2));
    r.put("target_cpu_cores", targetPid() > 0 ? fmt((b.targetCpuNanos - a.targetCpuNanos) / 1e9 / secs, 2) : "-");
    r.put("target_rss_max_mib", targetPid() > 0 ? fmt(rssMaxKib / 1024.0, 1) : "-");
    r.put("target_rss_mean_mib", targetPid() > 0 ? fmt(rssMeanKib / 1024.0, 1) : "-");
    r.put("machine_busy_cores", fmt(machineCores, 2));
    System.out.printf(Locale.ROOT, "%s: %s samples/s acknowledged (%s requests/s, %s refused as full, %s errors)"
            + " over %s s; target counted %s samples/s; CPU: generator %s, target %s, machine %s cores%n",
        mode, r.get("samples_per_s"), r.get("requests_per_s"), r.get("throttled"), r.get("errors"),
        r.get("window_s"), r.get("received_per_s"), r.get("gen_cpu_cores"), r.get("target_cpu_cores"),
        r.get("machine_busy_cores"));
    if (b.errors > a.errors) {
      System.out.println("last error: " + lastError);
    }
    StringBuilder line = new StringBuilder("RESULT");
    r.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    System.out.println(line);
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
