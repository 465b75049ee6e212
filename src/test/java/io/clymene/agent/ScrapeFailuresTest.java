package io.clymene.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Targets that refuse connections, time out, answer 500 or answer something that is not the text
 * format each give up 0 and a logged reason naming the target, while a healthy target keeps being
 * scraped and the process keeps running. The agent remote-writes to a real Prometheus.
 */
@Timeout(120)
class ScrapeFailuresTest {
  private ExternalServer receiver;
  private Vertx targets;
  private HttpServer server;
  private Launcher launcher;
  private Path dir;
  private PrintStream originalErr;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    receiver = ExternalServer.prometheusReceiver();
    targets = Vertx.vertx();
    server = targets.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/ok" -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
            .end("# TYPE test_metric gauge\ntest_metric{kind=\"fixed\"} 42\n");
        case "/html" -> req.response().putHeader("Content-Type", "text/html")
            .end("<html><body><h1>Welcome</h1></body></html>\n");
        case "/error" -> req.response().setStatusCode(500).end("boom");
        default -> { } // /slow: never answers
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, captured), true, StandardCharsets.UTF_8));
    dir = Files.createTempDirectory("clymene-failures-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    System.setErr(originalErr);
    targets.close().toCompletionStage().toCompletableFuture().get();
    receiver.close();
    TempDirs.delete(dir);
  }

  @Test
  void failingTargetsGiveUpZeroAndALoggedReason() throws Exception {
    int port = server.actualPort();
    int closed = Ports.free();
    String job = """
          - job_name: %s
            metrics_path: %s
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """;
    String prom = "global:\n  scrape_interval: 1s\n  scrape_timeout: 700ms\nscrape_configs:\n"
        + job.formatted("ok", "/ok", port) + job.formatted("slow", "/slow", port)
        + job.formatted("html", "/html", port) + job.formatted("error", "/error", port)
        + job.formatted("refused", "/metrics", closed)
        + "remote_write:\n  - url: " + receiver.url() + "/api/v1/write\n"
        + "    queue_config: {batch_send_deadline: 200ms}\n";
    Path promFile = dir.resolve("prometheus.yml");
    Files.writeString(promFile, prom);
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", promFile.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    PrometheusApi api = new PrometheusApi(receiver.url());
    for (String j : new String[]{"ok", "slow", "html", "error", "refused"}) {
      Await.until("up for job " + j, Duration.ofSeconds(30), () -> api.single("up{job=\"" + j + "\"}"));
    }
    assertThat(api.single("up{job=\"ok\"}")).isEqualTo(1.0);
    assertThat(api.single("test_metric{job=\"ok\",instance=\"127.0.0.1:" + port + "\",kind=\"fixed\"}"))
        .isEqualTo(42.0);
    for (String j : new String[]{"slow", "html", "error", "refused"}) {
      assertThat(api.single("up{job=\"" + j + "\"}")).as(j).isEqualTo(0.0);
      assertThat(api.single("scrape_samples_scraped{job=\"" + j + "\"}")).as(j).isEqualTo(0.0);
    }
    assertThat(api.single("scrape_duration_seconds{job=\"slow\"}")).isBetween(0.6, 1.0);

    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("scrape of http://127.0.0.1:" + port + "/slow (job slow) failed: scrape timed out");
    assertThat(log).contains("scrape of http://127.0.0.1:" + port + "/html (job html) failed: invalid exposition: "
        + "line 1: expected a metric name");
    assertThat(log).contains("scrape of http://127.0.0.1:" + port + "/error (job error) failed: server returned "
        + "HTTP status 500");
    assertThat(log).containsPattern("scrape of http://127.0.0.1:" + closed
        + "/metrics \\(job refused\\) failed: .*[Cc]onnection refused");

    // still running and still scraping the healthy target
    assertThat(Http.get("http://127.0.0.1:" + launcher.adminPort() + "/health").statusCode()).isEqualTo(200);
    Double before = api.single("count_over_time(up{job=\"ok\"}[1m])");
    Await.until("more scrapes of the healthy target", Duration.ofSeconds(10),
        () -> api.single("count_over_time(up{job=\"ok\"}[1m])") > before ? Boolean.TRUE : null);
  }

  /** Writes to two streams. */
  static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      synchronized (b) {
        b.write(c);
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      synchronized (b) {
        b.write(buf, off, len);
      }
    }
  }
}
