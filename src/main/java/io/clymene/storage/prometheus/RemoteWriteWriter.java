package io.clymene.storage.prometheus;

import static io.clymene.storage.Batches.firstSeries;
import static io.clymene.storage.Batches.sampleCount;

import io.clymene.config.Durations;
import io.clymene.model.MetricMetadata;
import io.clymene.model.SeriesBatch;
import io.clymene.relabel.RelabelConfig;
import io.clymene.relabel.Relabeler;
import io.clymene.relabel.SeriesRelabeler;
import io.clymene.storage.OAuth2Tokens;
import io.clymene.storage.RetryAfter;
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
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote write: a snappy-compressed protobuf over HTTP POST with the headers the
 * specification requires, after write_relabel_configs. {@code protobuf_message} chooses the message:
 * 1.0's {@code prometheus.WriteRequest} (the default) or 2.0's {@code io.prometheus.write.v2.Request}.
 *
 * <p>2xx is success; 5xx, 429 and network errors are retryable (429 with its Retry-After); any other
 * answer rejects the data, logged with the receiver's message and the first series. On success the
 * {@code X-Prometheus-Remote-Write-*-Written} headers, when present, say how much was written: a shortfall
 * is counted as dropped (reason {@code partial}). A 2.0 request answered 2xx without those headers went to
 * a receiver that does not speak 2.0 (a 1.0 receiver ignoring Content-Type decodes it as empty), and is
 * treated as the 415 the specification says to assume.
 *
 * <p>Metric metadata: the writer keeps the latest {@link MetricMetadata} per family from the batches it
 * writes (scrapes attach their targets' metadata once a minute), at most {@link #MAX_METADATA_FAMILIES},
 * forgetting families not refreshed for {@link #METADATA_TTL}. Remote write 2.0 sends it inline with each
 * series. For 1.0, as Prometheus with {@code metadata_config.send} (the default), every
 * {@code send_interval} (1m) it sends metadata-only requests of at most {@code max_samples_per_send}
 * (500) entries; a failed send is logged and the next interval sends everything again.
 */
final class RemoteWriteWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteWriter.class);
  /** Series whose write_relabel_configs outcome is remembered. */
  static final int RELABEL_CACHE_SERIES = 500_000;
  /** How much of a rejecting receiver's answer goes into the log. */
  static final int MAX_REJECTION_MESSAGE_BYTES = 256;
  private static final int MAX_RETRY_MESSAGE_BYTES = 512;
  /** Metric families whose metadata a writer keeps; more are counted and logged, not kept. */
  static final int MAX_METADATA_FAMILIES = 100_000;
  /** Families whose metadata no batch refreshed for this long are forgotten (targets refresh every minute). */
  static final Duration METADATA_TTL = Duration.ofMinutes(10);
  /** Prometheus' metadata_config defaults. */
  static final Duration DEFAULT_METADATA_SEND_INTERVAL = Duration.ofMinutes(1);
  static final int DEFAULT_METADATA_MAX_PER_SEND = 500;

  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  private final String tenant;
  private final OAuth2Tokens oauth2;
  private final RemoteWriteProtocol protocol;
  private final RemoteWriteEncoder encoder;
  private final RemoteWriteV2Encoder encoderV2;
  private final SeriesRelabeler relabeler;
  private final Counter droppedPartial;
  private final ThrottledLog rejectLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog partialLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog protocolLog = new ThrottledLog(LOG, Duration.ofMinutes(5));
  private HttpClient client;

  /** Latest metadata by family, with when a batch last carried it; used only on the writer's context. */
  private final Map<String, KeptMetadata> metadata = new HashMap<>();
  /** The last metadata list taken from a batch: views of one batch share it, so it is taken once. */
  private List<MetricMetadata> lastMetadataList;
  private final boolean sendMetadata;
  private final Duration metadataInterval;
  private final int metadataPerRequest;
  private final Counter metadataSent;
  private final Counter metadataFailed;
  private final Counter metadataFamiliesDropped;
  private final ThrottledLog metadataLog = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private long metadataTimer = -1;
  private boolean metadataInFlight;

  private record KeptMetadata(MetricMetadata metadata, long updatedNanos) {
  }

  RemoteWriteWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    this.url = URI.create(entry.config().getString("url"));
    this.tenant = entry.config().getString("tenant");
    JsonObject oauth = entry.config().getJsonObject("oauth2");
    this.oauth2 = oauth == null ? null : new OAuth2Tokens(context.vertx(), oauth);
    this.protocol = RemoteWriteProtocol.fromConfig(entry.config().getString("protobuf_message"));
    this.encoder = protocol == RemoteWriteProtocol.V1 ? new RemoteWriteEncoder() : null;
    this.encoderV2 = protocol == RemoteWriteProtocol.V2 ? new RemoteWriteV2Encoder(this::metadataOf) : null;
    List<RelabelConfig> rules = RelabelConfig.parseList(entry.config().getJsonArray("write_relabel_configs"),
        entry.path() + ".write_relabel_configs");
    this.relabeler = rules.isEmpty() ? null : new SeriesRelabeler(new Relabeler(rules), RELABEL_CACHE_SERIES);
    this.droppedPartial = Counter.builder("clymene.dropped.samples")
        .description("Samples dropped, by writer and reason")
        .tag("writer", entry.name()).tag("reason", "partial").register(context.registry());
    JsonObject mc = entry.config().getJsonObject("metadata", new JsonObject());
    this.sendMetadata = protocol == RemoteWriteProtocol.V1 && mc.getBoolean("send", true);
    this.metadataInterval = mc.containsKey("send_interval") ? Durations.parse(mc.getString("send_interval"))
        : DEFAULT_METADATA_SEND_INTERVAL;
    this.metadataPerRequest = mc.getInteger("max_samples_per_send", DEFAULT_METADATA_MAX_PER_SEND);
    this.metadataSent = Counter.builder("clymene.writer.metadata.sent")
        .description("Metric metadata entries a remote-write 1.0 writer sent in metadata-only requests")
        .tag("writer", entry.name()).register(context.registry());
    this.metadataFailed = Counter.builder("clymene.writer.metadata.failed")
        .description("Metadata-only remote-write requests that failed (sent again next interval)")
        .tag("writer", entry.name()).register(context.registry());
    this.metadataFamiliesDropped = Counter.builder("clymene.writer.metadata.families.dropped")
        .description("Metric families whose metadata a writer did not keep because it held the most it keeps")
        .tag("writer", entry.name()).register(context.registry());
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setSsl("https".equals(url.getScheme()))
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    client = context.vertx().httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(4)).build();
    // started on the writer's context: the timer runs there too, so the metadata map needs no locking
    metadataTimer = context.vertx().setPeriodic(metadataInterval.toMillis(), t -> metadataTick());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    for (SeriesBatch b : batches) {
      // before relabeling, which builds new batches; families keep their exposed names, as in Prometheus
      if (!b.metadata().isEmpty() && b.metadata() != lastMetadataList) {
        keepMetadata(b.metadata());
      }
    }
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
      byte[] raw = protocol == RemoteWriteProtocol.V2 ? encoderV2.encode(toSend) : encoder.encode(toSend);
      body = Buffer.buffer(Snappy.compress(raw));
    } catch (IOException e) {
      return Future.failedFuture(WriteException.rejected("snappy compression failed: " + e));
    }
    List<SeriesBatch> sent = toSend;
    return post(body).compose(resp -> answer(resp, sent));
  }

  /** POSTs a compressed request; fails with a retryable {@link WriteException} when it cannot be sent. */
  private Future<HttpClientResponse> post(Buffer body) {
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
            : Future.failedFuture(WriteException.retryable("remote write to " + url + " failed: " + err, err)));
  }

  /** Takes a batch's metadata: latest wins; new families only while fewer than the bound are kept. */
  private void keepMetadata(List<MetricMetadata> list) {
    lastMetadataList = list;
    long now = System.nanoTime();
    int refused = 0;
    for (MetricMetadata m : list) {
      if (metadata.size() >= MAX_METADATA_FAMILIES && !metadata.containsKey(m.family())) {
        refused++;
        continue;
      }
      metadata.put(m.family(), new KeptMetadata(m, now));
    }
    if (refused > 0) {
      metadataFamiliesDropped.increment(refused);
      metadataLog.warn("writer {}: keeps the metadata of at most {} metric families; {} more not kept (their "
          + "series go without metadata)", entry.name(), MAX_METADATA_FAMILIES, refused);
    }
  }

  /** The metadata of a family, for the 2.0 encoder (on the writer's context, during {@link #write}). */
  private MetricMetadata metadataOf(String family) {
    KeptMetadata k = metadata.get(family);
    return k == null ? null : k.metadata();
  }

  /** Every send_interval: forgets stale families, then (1.0 with send) sends the rest, unless a send still runs. */
  private void metadataTick() {
    long oldest = System.nanoTime() - METADATA_TTL.toNanos();
    metadata.values().removeIf(k -> k.updatedNanos() - oldest < 0);
    if (!sendMetadata || metadataInFlight || metadata.isEmpty()) {
      return;
    }
    List<MetricMetadata> all = new ArrayList<>(metadata.size());
    metadata.values().forEach(k -> all.add(k.metadata()));
    metadataInFlight = true;
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < all.size(); from += metadataPerRequest) {
      List<MetricMetadata> chunk = all.subList(from, Math.min(all.size(), from + metadataPerRequest));
      chain = chain.compose(v -> postMetadata(chunk));
    }
    chain.onComplete(ar -> {
      metadataInFlight = false;
      if (ar.failed()) {
        metadataFailed.increment();
        metadataLog.warn("writer {}: sending the metadata of {} metric families to {} failed, trying again in "
            + "{}: {}", entry.name(), all.size(), url, Durations.format(metadataInterval), ar.cause().getMessage());
      }
    });
  }

  /** One metadata-only 1.0 request, as Prometheus sends them. */
  private Future<Void> postMetadata(List<MetricMetadata> chunk) {
    Buffer body;
    try {
      body = Buffer.buffer(Snappy.compress(encoder.encode(List.of(), chunk)));
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return post(body).compose(resp -> resp.body().compose(b -> {
      if (resp.statusCode() / 100 != 2) {
        return Future.failedFuture("HTTP " + resp.statusCode() + ": " + receiverMessage(b, MAX_REJECTION_MESSAGE_BYTES));
      }
      metadataSent.increment(chunk.size());
      return Future.succeededFuture();
    }));
  }

  private Future<HttpClientResponse> send(HttpClientRequest r, Buffer body) {
    try {
      entry.http().addTo(r.headers());
    } catch (IOException e) {
      r.reset();
      return Future.failedFuture(WriteException.retryable("cannot read a credentials file: " + e.getMessage(), e));
    }
    if (oauth2 != null) {
      return oauth2.token()
          .recover(err -> {
            r.reset();
            return Future.failedFuture(WriteException.retryable("cannot get an OAuth 2.0 token: " + err.getMessage(),
                err));
          })
          .compose(t -> {
            r.putHeader("Authorization", "Bearer " + t);
            return sendWithHeaders(r, body);
          });
    }
    return sendWithHeaders(r, body);
  }

  private Future<HttpClientResponse> sendWithHeaders(HttpClientRequest r, Buffer body) {
    r.putHeader("Content-Encoding", "snappy")
        .putHeader("Content-Type", protocol.contentType())
        .putHeader("User-Agent", "Clymene/" + context.version())
        .putHeader("X-Prometheus-Remote-Write-Version", protocol.version());
    if (tenant != null) {
      r.putHeader("X-Scope-OrgID", tenant);
    }
    return r.send(body);
  }

  private Future<Void> answer(HttpClientResponse resp, List<SeriesBatch> sent) {
    return resp.body().compose(b -> {
      int code = resp.statusCode();
      long samples = sampleCount(sent);
      if (code / 100 == 2) {
        return accepted(WrittenCounts.from(resp.headers()), samples);
      }
      if (code == 429 && entry.queue().retryOnHttp429()) {
        return Future.failedFuture(WriteException.throttled(retryMessage(code, b),
            RetryAfter.parse(resp.getHeader("Retry-After"))));
      }
      if (code >= 500) {
        return Future.failedFuture(WriteException.retryable(retryMessage(code, b), null));
      }
      String text = receiverMessage(b, MAX_REJECTION_MESSAGE_BYTES);
      if (code == 415 && protocol == RemoteWriteProtocol.V2) {
        protocolLog.warn("writer {}: the receiver at {} does not accept remote write 2.0 (HTTP 415: {}); "
            + "set protobuf_message: v1 for this storage", entry.name(), url, text);
        return Future.failedFuture(WriteException.rejected("remote write to " + url
            + " answered 415: the receiver does not accept remote write 2.0 (use protobuf_message: v1): " + text));
      }
      String line = "receiver rejected " + samples + " samples (HTTP " + code + ": " + text + ")"
          + writtenNote(WrittenCounts.from(resp.headers())) + "; first series " + firstSeries(sent);
      rejectLog.warn("writer {}: {}", entry.name(), line);
      return Future.failedFuture(WriteException.rejected("remote write to " + url + ": " + line));
    });
  }

  /** Checks a 2xx answer against the Written headers. */
  private Future<Void> accepted(WrittenCounts written, long sent) {
    if (!written.confirmed()) {
      if (protocol == RemoteWriteProtocol.V2 && sent > 0) {
        // the specification: assume 415. A 1.0 receiver that ignores Content-Type decodes a 2.0
        // request as an empty 1.0 request and answers 204, so the data is most likely lost.
        protocolLog.warn("writer {}: the receiver at {} answered a remote write 2.0 request without "
            + "X-Prometheus-Remote-Write-Samples-Written, so it probably does not support 2.0 and wrote "
            + "nothing; treating {} samples as rejected. Set protobuf_message: v1 for this storage",
            entry.name(), url, sent);
        return Future.failedFuture(WriteException.rejected("remote write to " + url + " answered 2xx to a "
            + "remote write 2.0 request without X-Prometheus-Remote-Write-*-Written headers: the receiver "
            + "probably does not support 2.0 (use protobuf_message: v1)"));
      }
      return Future.succeededFuture();
    }
    if (written.samples() >= 0 && written.samples() < sent) {
      long lost = sent - written.samples();
      droppedPartial.increment(lost);
      partialLog.warn("writer {}: the receiver at {} answered 2xx but wrote {} of {} samples; {} counted as "
          + "dropped (reason partial)", entry.name(), url, written.samples(), sent, lost);
    }
    return Future.succeededFuture();
  }

  private String retryMessage(int code, Buffer body) {
    return "remote write to " + url + " answered " + code + ": " + receiverMessage(body, MAX_RETRY_MESSAGE_BYTES);
  }

  /** The start of a receiver's answer, on one line. */
  static String receiverMessage(Buffer body, int maxBytes) {
    int n = Math.min(body.length(), maxBytes);
    String text = new String(body.getBytes(0, n), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ").trim();
    return n < body.length() ? text + "..." : text;
  }

  private static String writtenNote(WrittenCounts written) {
    return written.confirmed() && written.samples() > 0
        ? " (the receiver reports " + written.samples() + " written)" : "";
  }

  @Override
  public Future<Void> stop() {
    if (oauth2 != null) {
      oauth2.close();
    }
    if (metadataTimer >= 0) {
      context.vertx().cancelTimer(metadataTimer);
      metadataTimer = -1;
    }
    return client == null ? Future.succeededFuture() : client.close();
  }
}
