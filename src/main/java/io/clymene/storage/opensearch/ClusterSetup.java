package io.clymene.storage.opensearch;

import io.clymene.storage.WriteException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the writer does once before its first bulk request: reads the cluster's version ({@code GET /})
 * and logs it (warning when the distribution is not the entry's type, or Elasticsearch is older than
 * 7.8, which lacks composable index templates), then puts the {@link IndexTemplate} unless
 * {@code template: false}. Only a missing answer (network, 5xx) from every node fails it, as a retryable write, so it
 * runs again with the next write; a refusal (e.g. 403 for an API key without {@code manage_index_templates})
 * is logged as an error and writing goes on with the cluster's own mappings.
 */
final class ClusterSetup {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSetup.class);

  private final String writer;
  private final String type;
  private final SearchOptions options;
  private final RestClient rest;
  private final Endpoints endpoints;
  private volatile String version;

  ClusterSetup(String writer, String type, SearchOptions options, RestClient rest, Endpoints endpoints) {
    this.writer = writer;
    this.type = type;
    this.options = options;
    this.rest = rest;
    this.endpoints = endpoints;
  }

  /** The distribution and version read at start ("opensearch 2.19.6"), or null before. */
  String version() {
    return version;
  }

  /** Runs on the next node of {@code urls}, and on the others in turn while a node gives no answer. */
  Future<Void> run() {
    return attempt(endpoints.all().size());
  }

  private Future<Void> attempt(int nodesLeft) {
    return runOn(endpoints.next()).recover(err -> nodesLeft > 1 && err instanceof WriteException we && we.retryable()
        ? attempt(nodesLeft - 1) : Future.failedFuture(err));
  }

  private Future<Void> runOn(URI url) {
    return call(url, HttpMethod.GET, "/", null, null, "reading the version").compose(r -> {
      if (r.status() / 100 == 2) {
        checkVersion(url, r);
      } else {
        LOG.warn("writer {}: {} at {} answered GET / with {} ({}); cannot check its version, writing anyway", writer,
            type, url, r.status(), r.text(256));
      }
      if (!options.template()) {
        return Future.succeededFuture();
      }
      String path = "/_index_template/" + IndexTemplate.name(options);
      return call(url, HttpMethod.PUT, path, "application/json", Buffer.buffer(IndexTemplate.body(options)),
          "putting the index template").map(t -> {
            if (t.status() / 100 == 2) {
              LOG.info("writer {}: index template {} put (pattern {}, {} replicas)", writer,
                  IndexTemplate.name(options),
                  IndexTemplate.pattern(options), options.replicas());
            } else {
              LOG.error("writer {}: {} at {} refused the index template {} ({} {}); documents get the cluster's "
                  + "default mappings. Fix the cause, or put a template yourself and set template: false", writer,
                  type, url, IndexTemplate.name(options), t.status(), t.text(512));
            }
            return null;
          });
    });
  }

  /** A call that fails as a retryable write when there is no answer or a 5xx one. */
  private Future<RestClient.Reply> call(URI url, HttpMethod method, String path, String contentType, Buffer body,
                                        String what) {
    return rest.call(url, method, path, contentType, body).transform(ar -> {
      if (ar.failed()) {
        endpoints.failed(url);
        return Future.failedFuture(WriteException.retryable(type + " at " + url + ": " + what + " failed: "
            + ar.cause().getMessage(), ar.cause()));
      }
      RestClient.Reply r = ar.result();
      if (r.status() >= 500) {
        endpoints.failed(url);
        return Future.failedFuture(WriteException.retryable(type + " at " + url + " answered " + what + " with "
            + r.status() + ": " + r.text(256), null));
      }
      endpoints.succeeded(url);
      return Future.succeededFuture(r);
    });
  }

  private void checkVersion(URI url, RestClient.Reply r) {
    JsonObject v;
    try {
      v = new JsonObject(r.body()).getJsonObject("version", new JsonObject());
    } catch (RuntimeException e) {
      LOG.warn("writer {}: GET / of {} did not answer JSON ({}); writing anyway", writer, url, r.text(256));
      return;
    }
    String number = v.getString("number", "?");
    String distribution = v.getString("distribution", "elasticsearch");
    version = distribution + " " + number;
    LOG.info("writer {}: {} {} at {}; writing to {} ({})", writer, distribution, number, url,
        options.mode() == IndexMode.DAILY ? options.index() + "-YYYY.MM.DD" : options.index(),
        options.mode().configName());
    if (!distribution.equals(type)) {
      LOG.warn("writer {}: the storage type is {} but {} runs {}; the bulk API is the same, but consider type: {}",
          writer, type, url, distribution, distribution);
    }
    if (distribution.equals("elasticsearch") && olderThan(number, 7, 8)) {
      LOG.error("writer {}: Elasticsearch {} at {} has no composable index templates (7.8 or newer needed); "
          + "set template: false and map the fields yourself", writer, number, url);
    }
  }

  static boolean olderThan(String number, int major, int minor) {
    String[] p = number.split("[.-]");
    try {
      int ma = Integer.parseInt(p[0]);
      int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
      return ma < major || (ma == major && mi < minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
