package io.clymene.agent.discovery.http;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.GroupFormat;
import io.clymene.agent.scrape.ScrapeClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Fetches an {@link HttpSdConfig}'s URL at start and every refresh interval, as Prometheus' HTTP
 * discovery does: a 200 answer of type {@code application/json} holding a list of target groups, each
 * labelled {@code __meta_url}. A failed fetch keeps the last groups and is reported; groups the answer no
 * longer has are removed.
 */
final class HttpDiscoverer implements Discoverer {
  private static final Pattern JSON = Pattern.compile("^(?i:application/json(;\\s*charset=(\"utf-8\"|utf-8))?)$");
  /** An answer larger than this is refused rather than held in memory. */
  static final long MAX_BODY_BYTES = 64L << 20;

  private final HttpSdConfig config;
  private final DiscoveryContext context;
  private final ScrapeClient client;
  private Consumer<List<TargetGroup>> sink;
  private int lastLength;
  private long timer = -1;
  private volatile boolean stopped;

  HttpDiscoverer(HttpSdConfig config, DiscoveryContext context) {
    this.config = config;
    this.context = context;
    String scheme = URI.create(config.url()).getScheme();
    this.client = new ScrapeClient(context.vertx(), config.http(), scheme);
  }

  @Override
  public void start(Consumer<List<TargetGroup>> sink) {
    this.sink = sink;
    refresh();
  }

  private void refresh() {
    if (stopped) {
      return;
    }
    fetch().onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        context.recovered();
        sink.accept(ar.result());
      } else {
        context.failed("GET " + config.url() + ": " + ar.cause().getMessage());
      }
      timer = context.vertx().setTimer(config.refreshInterval().toMillis(), id -> refresh());
    });
  }

  private Future<List<TargetGroup>> fetch() {
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.url())
        .setFollowRedirects(config.http().followRedirects())
        .setTimeout(config.refreshInterval().toMillis())
        .putHeader("User-Agent", "Clymene")
        .putHeader("Accept", "application/json")
        .putHeader("X-Prometheus-Refresh-Interval-Seconds", seconds(config.refreshInterval().toMillis()));
    return client.prepare(req)
        .compose(r -> client.client().request(r))
        .compose(r -> r.send())
        .compose(this::body)
        .map(this::groups);
  }

  private Future<Buffer> body(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return resp.body().transform(x -> Future.failedFuture("server returned HTTP status " + resp.statusCode()
          + " " + resp.statusMessage()));
    }
    String type = resp.getHeader("Content-Type");
    if (type == null || !JSON.matcher(type.trim()).matches()) {
      return resp.body().transform(x -> Future.failedFuture("unsupported content type \""
          + (type == null ? "" : type) + "\" (expected application/json)"));
    }
    String length = resp.getHeader("Content-Length");
    if (length != null && Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
      resp.request().reset();
      return Future.failedFuture("answer of " + length + " bytes is larger than " + MAX_BODY_BYTES);
    }
    return resp.body();
  }

  private List<TargetGroup> groups(Buffer body) {
    List<?> items;
    try {
      items = new JsonArray(body).getList();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("answer is not a JSON list of target groups: " + e.getMessage());
    }
    List<TargetGroup> groups = new ArrayList<>(GroupFormat.groups(items, config.url(), "__meta_url", true));
    int n = groups.size();
    for (int i = n; i < lastLength; i++) {
      groups.add(TargetGroup.removed(GroupFormat.source(config.url(), i)));
    }
    lastLength = n;
    return groups;
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    return client.close();
  }
}
