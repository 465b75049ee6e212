package io.clymene.storage.opensearch;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.RetryAfter;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.UnsupportedValues;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes samples to OpenSearch or Elasticsearch as documents through the bulk API ({@link BulkEncoder}:
 * {@code create} actions with deterministic ids, so replays are idempotent), to the nodes of {@code urls}
 * round robin ({@link Endpoints}). Before the first request it reads the version and puts the index
 * template ({@link ClusterSetup}); {@link #start} never waits for the cluster, so Clymene starts while it is
 * down.
 *
 * <p>Whole-request answers: 200 is read item by item ({@link ItemOutcomes}); 429 and 503 are throttling
 * (with Retry-After); other 5xx and network errors are retryable (that node is skipped for a while); 401,
 * 403, 413 and other 4xx refuse the request. Items: 2xx and 409 (stored before) are written; 429 and 5xx
 * items make their series be sent again ({@link WriteException#partial}); other 4xx items are refused for
 * good, counted as rejected with the first reason in the message.
 */
final class BulkWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);
  /** Only what the writer reads: small answers even for 5,000 items. */
  static final String BULK_PATH = "/_bulk?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason";
  static final String NDJSON = "application/x-ndjson";
  private static final int MAX_MESSAGE_BYTES = 512;

  private final WriterContext context;
  private final StorageEntry entry;
  private final SearchOptions options;
  private final String type;
  private final Endpoints endpoints;
  private final RestClient rest;
  private final ClusterSetup setup;
  private final BulkEncoder encoder;
  private final UnsupportedValues unsupported;
  private final Counter conflicts;
  private final ThrottledLog setupLog = new ThrottledLog(LOG, Duration.ofSeconds(30));
  private Future<Void> ready;

  BulkWriter(WriterContext context, StorageEntry entry, SearchOptions options, String type) {
    this.context = context;
    this.entry = entry;
    this.options = options;
    this.type = type;
    this.endpoints = new Endpoints(options.urls(), System::nanoTime);
    this.rest = new RestClient(context, entry, options);
    this.setup = new ClusterSetup(entry.name(), type, options, rest, endpoints);
    this.encoder = new BulkEncoder(options.index(), options.mode());
    this.unsupported = new UnsupportedValues(context.registry(), entry.name(),
        "NaN, ±Inf and stale markers (" + type + " double fields hold finite numbers only)");
    this.conflicts = Counter.builder("clymene.writer.duplicates")
        .description("Samples a store already held when they were sent again (e.g. a replay), counted as sent")
        .tag("writer", entry.name()).register(context.registry());
  }

  @Override
  public Future<Void> start() {
    rest.start();
    ready(); // version and template now, so they are logged at start; failures are retried by the first write
    return Future.succeededFuture();
  }

  /** The set-up, once: a failed attempt is made again by the next write. */
  private Future<Void> ready() {
    if (ready == null || ready.failed()) {
      Future<Void> f = setup.run();
      f.onFailure(err -> setupLog.warn("writer {}: {} (tried again with the next write)", entry.name(),
          err.getMessage()));
      ready = f;
    }
    return ready;
  }

  /** The version read at start ("opensearch 2.19.6"), or null. */
  String version() {
    return setup.version();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    BulkRequest request = encoder.encode(batches);
    if (request.items() == 0) {
      unsupported.count(request.skipped());
      return Future.succeededFuture();
    }
    return ready().compose(v -> {
      URI url = endpoints.next();
      return rest.call(url, HttpMethod.POST, BULK_PATH, NDJSON, request.body())
          .recover(err -> {
            endpoints.failed(url);
            return Future.failedFuture(WriteException.retryable(type + " bulk request to " + url + " failed: "
                + err.getMessage(), err));
          })
          .compose(reply -> answer(url, reply, batches, request));
    });
  }

  private Future<Void> answer(URI url, RestClient.Reply reply, List<SeriesBatch> batches, BulkRequest request) {
    int status = reply.status();
    if (status >= 500 && status != 503) {
      endpoints.failed(url);
      return Future.failedFuture(WriteException.retryable(type + " at " + url + " answered " + status + ": "
          + reply.text(MAX_MESSAGE_BYTES), null));
    }
    endpoints.succeeded(url);
    if (status == 503 || (status == 429 && entry.queue().retryOnHttp429())) {
      return Future.failedFuture(WriteException.throttled(type + " at " + url + " answered " + status + ": "
          + reply.text(MAX_MESSAGE_BYTES), RetryAfter.parse(reply.retryAfter())));
    }
    if (status != 200) {
      String hint = status == 413 ? " (the request is larger than the cluster's http.max_content_length: lower "
          + "queue.max_samples_per_send)" : status == 401 || status == 403 ? " (check the credentials)" : "";
      return Future.failedFuture(WriteException.rejected(type + " at " + url + " refused a bulk request of "
          + request.items() + " documents with " + status + hint + ": " + reply.text(MAX_MESSAGE_BYTES)));
    }
    BulkAnswer answer;
    try {
      answer = BulkAnswer.parse(reply.body());
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(WriteException.rejected(type + " at " + url + " answered a bulk request with "
          + "something else than a bulk answer (" + e.getMessage() + "): " + reply.text(MAX_MESSAGE_BYTES)));
    }
    if (answer.errors() && answer.items() != request.items()) {
      return Future.failedFuture(WriteException.rejected(type + " at " + url + " answered " + answer.items()
          + " items to a bulk request of " + request.items()));
    }
    ItemOutcomes out = ItemOutcomes.of(batches, request, answer);
    conflicts.increment(out.conflicts());
    unsupported.count(out.unsupported());
    if (out.complete()) {
      return Future.succeededFuture();
    }
    StringBuilder m = new StringBuilder(type).append(" at ").append(url).append(": of ").append(request.items())
        .append(" documents");
    if (out.refused() > 0) {
      m.append(", ").append(out.refused()).append(" refused for good (first: ").append(out.firstRefusal())
          .append("; series ").append(out.firstRefusedSeries()).append(')');
    }
    if (!out.retry().isEmpty()) {
      m.append(", ").append(out.retry().stream().mapToInt(SeriesBatch::size).sum())
          .append(" series to send again (first: ").append(out.firstRetry()).append(')');
    }
    return Future.failedFuture(WriteException.partial(m.toString(), out.retry(), out.refused()));
  }


  @Override
  public Future<Void> stop() {
    return rest.close();
  }
}
