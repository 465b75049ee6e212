package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import io.clymene.testing.Await;
import io.clymene.testing.CapturedStderr;
import io.clymene.testing.ClymeneAdmin;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * A receiver that rejects some batches with 400 costs exactly those batches: a proxy in front of a real
 * Prometheus answers 400 with a message to every third remote-write request and forwards the others. The
 * samples of the rejected requests (decoded by the proxy) are counted in
 * {@code clymene_dropped_samples_total{reason="rejected"}}, never sent again, and the log names the first
 * rejected series; the forwarded data all reaches Prometheus and the flow goes on.
 */
@Timeout(120)
class RejectedBatchesTest {
  private static final String WRITER = "behind-proxy";
  private static final String REJECTION = "test proxy rejects this request";

  private ExternalServer receiver;
  private Vertx vertx;
  private CounterTarget target;
  private RejectingProxy proxy;
  private HttpServer proxyServer;
  private Launcher launcher;
  private CapturedStderr log;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    receiver = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "rejected_requests_total", 50);
    proxy = new RejectingProxy(vertx.createHttpClient(), receiver.port());
    proxyServer = vertx.createHttpServer().requestHandler(proxy::handle).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    dir = Files.createTempDirectory("clymene-rejected-");
    log = CapturedStderr.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    log.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    receiver.close();
    TempDirs.delete(dir);
  }

  @Test
  void rejectedBatchesAreCountedLoggedAndNotResent() throws Exception {
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, String.join("\n",
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        "  - job_name: rejected",
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        "remote_write:",
        "  - url: http://127.0.0.1:" + proxyServer.actualPort() + "/api/v1/write",
        "    name: " + WRITER,
        "    queue_config: {max_shards: 1, max_samples_per_send: 20, batch_send_deadline: 200ms}",
        ""));
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", prom.toString(),
        "--data_dir=" + dir.resolve("data"), "--admin.host=127.0.0.1", "--admin.port=0"));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    ClymeneAdmin admin = new ClymeneAdmin(launcher.adminPort());

    Await.until("rejected and forwarded requests", Duration.ofSeconds(30), () -> {
      synchronized (proxy) {
        return proxy.rejectedRequests >= 4 && proxy.forwardedRequests >= 8 ? Boolean.TRUE : null;
      }
    });
    // from here on everything is forwarded, so what was rejected is final
    long rejectedSamples;
    Types.TimeSeries first;
    Set<String> rejectedValues;
    synchronized (proxy) {
      proxy.rejecting = false;
      rejectedSamples = proxy.rejectedSamples;
      first = proxy.firstRejected;
      rejectedValues = Set.copyOf(proxy.rejectedValues);
    }
    assertThat(rejectedSamples).isPositive();
    assertThat(rejectedValues).isNotEmpty();

    double dropped = Await.until("clymene_dropped_samples_total{reason=\"rejected\"} to count the rejections",
        Duration.ofSeconds(10), () -> {
          double d = admin.metrics().require("clymene_dropped_samples_total", "writer", WRITER, "reason", "rejected");
          return d >= rejectedSamples ? d : null;
        });
    assertThat(dropped).as("samples dropped as rejected").isEqualTo(rejectedSamples);

    // the flow goes on: more requests forwarded and delivered, nothing sent twice
    int forwardedBefore;
    synchronized (proxy) {
      forwardedBefore = proxy.forwardedRequests;
    }
    Await.until("more requests forwarded after the rejections", Duration.ofSeconds(15), () -> {
      synchronized (proxy) {
        return proxy.forwardedRequests >= forwardedBefore + 5 ? Boolean.TRUE : null;
      }
    });
    Set<String> forwardedValues;
    synchronized (proxy) {
      forwardedValues = Set.copyOf(proxy.forwardedValues);
      assertThat(proxy.resent).as("rejected samples sent again").isEmpty();
    }
    PrometheusApi api = new PrometheusApi(receiver.url());
    Set<String> inPrometheus = Await.until("every forwarded sample in Prometheus", Duration.ofSeconds(20), () -> {
      Set<String> got = new HashSet<>();
      api.samples(target.metric() + "[10m]").forEach((labels, points) ->
          points.values().forEach(v -> got.add(key(labels.getString("series"), v))));
      return got.containsAll(forwardedValues) ? got : null;
    });
    assertThat(inPrometheus).as("rejected samples in Prometheus").doesNotContainAnyElementsOf(rejectedValues);

    Exposition m = admin.metrics();
    assertThat(m.require("clymene_dropped_samples_total", "writer", WRITER, "reason", "rejected"))
        .as("samples dropped as rejected, later").isEqualTo(rejectedSamples);
    JsonObject status = admin.writer(WRITER);
    assertThat(status.getLong("samplesDropped")).isEqualTo(rejectedSamples);
    assertThat(status.getString("lastError")).contains("400");

    // the log names the first rejected series, in whatever label notation
    String name = labelValue(first, "__name__");
    Pattern series = Pattern.compile("(" + Pattern.quote(name + "{") + "|" + Pattern.quote("__name__=\"" + name
        + "\"") + ")");
    List<String> lines = log.text().lines().filter(l -> l.contains(WRITER) && series.matcher(l).find()
        && first.getLabelsList().stream().filter(lb -> !lb.getName().equals("__name__"))
            .allMatch(lb -> l.contains(lb.getName() + "=\"" + lb.getValue() + "\""))).toList();
    assertThat(lines).as("log lines of writer %s naming the first rejected series %s; log:%n%s", WRITER,
        first.getLabelsList(), log.text()).isNotEmpty();
  }

  private static String labelValue(Types.TimeSeries ts, String name) {
    return ts.getLabelsList().stream().filter(l -> l.getName().equals(name)).map(Types.Label::getValue)
        .findFirst().orElseThrow();
  }

  private static String key(String series, double value) {
    return series + "=" + (long) value;
  }

  /**
   * Forwards remote-write requests to the receiver, but while {@code rejecting} answers every third
   * request with 400. Decodes every request to count its samples and record its counter values.
   */
  private static final class RejectingProxy {
    private final HttpClient client;
    private final int receiverPort;
    boolean rejecting = true;
    int requests;
    int rejectedRequests;
    int forwardedRequests;
    long rejectedSamples;
    Types.TimeSeries firstRejected;
    final Set<String> rejectedValues = new HashSet<>();
    final Set<String> forwardedValues = new HashSet<>();
    final Set<String> resent = new HashSet<>();

    RejectingProxy(HttpClient client, int receiverPort) {
      this.client = client;
      this.receiverPort = receiverPort;
    }

    void handle(HttpServerRequest req) {
      req.body().onSuccess(body -> {
        Remote.WriteRequest wr;
        try {
          wr = Remote.WriteRequest.parseFrom(Snappy.uncompress(body.getBytes()));
        } catch (IOException e) {
          req.response().setStatusCode(400).end("cannot decode: " + e);
          return;
        }
        boolean reject;
        synchronized (this) {
          reject = rejecting && ++requests % 3 == 0;
          for (Types.TimeSeries ts : wr.getTimeseriesList()) {
            for (Types.Sample s : ts.getSamplesList()) {
              String k = counterKey(ts, s);
              if (k != null && rejectedValues.contains(k)) {
                resent.add(k);
              }
            }
          }
          if (reject) {
            rejectedRequests++;
            for (Types.TimeSeries ts : wr.getTimeseriesList()) {
              if (firstRejected == null) {
                firstRejected = ts;
              }
              rejectedSamples += ts.getSamplesCount();
              ts.getSamplesList().forEach(s -> addKey(rejectedValues, ts, s));
            }
          }
        }
        if (reject) {
          req.response().setStatusCode(400).end(REJECTION);
          return;
        }
        forward(req, body).onComplete(ar -> {
          if (ar.failed()) {
            req.response().setStatusCode(502).end(String.valueOf(ar.cause()));
            return;
          }
          if (ar.result() / 100 == 2) {
            synchronized (this) {
              forwardedRequests++;
              for (Types.TimeSeries ts : wr.getTimeseriesList()) {
                ts.getSamplesList().forEach(s -> addKey(forwardedValues, ts, s));
              }
            }
          }
        });
      });
    }

    /** Sends the request on and relays the answer; gives the status code. */
    private Future<Integer> forward(HttpServerRequest req, Buffer body) {
      return client.request(HttpMethod.POST, receiverPort, "127.0.0.1", "/api/v1/write").compose(out -> {
        for (String h : List.of("Content-Encoding", "Content-Type", "User-Agent",
            "X-Prometheus-Remote-Write-Version")) {
          if (req.getHeader(h) != null) {
            out.putHeader(h, req.getHeader(h));
          }
        }
        return out.send(body);
      }).compose(resp -> resp.body().map(b -> {
        req.response().setStatusCode(resp.statusCode()).end(b);
        return resp.statusCode();
      }));
    }

    private static void addKey(Set<String> set, Types.TimeSeries ts, Types.Sample s) {
      String k = counterKey(ts, s);
      if (k != null) {
        set.add(k);
      }
    }

    /** {@code series=value} for the target's counter series (stale markers left out), else null. */
    private static String counterKey(Types.TimeSeries ts, Types.Sample s) {
      if (Double.isNaN(s.getValue())) {
        return null;
      }
      String metric = null;
      String series = null;
      for (Types.Label l : ts.getLabelsList()) {
        if (l.getName().equals("__name__")) {
          metric = l.getValue();
        } else if (l.getName().equals("series")) {
          series = l.getValue();
        }
      }
      return "rejected_requests_total".equals(metric) && series != null ? key(series, s.getValue()) : null;
    }
  }
}
