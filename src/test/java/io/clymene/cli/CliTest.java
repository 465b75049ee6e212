package io.clymene.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.Ports;
import io.clymene.testing.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command line: help, version, check-config, and one clear line plus exit 1 for every bad config. */
@Timeout(60)
class CliTest {
  private Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("clymene-cli-");
  }

  @AfterEach
  void tearDown() {
    TempDirs.delete(dir);
  }

  private Main main(Map<String, String> env) {
    return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8), env);
  }

  /** Runs a command that must not leave a process running; returns its exit code. */
  private int run(Map<String, String> env, String... args) {
    Main m = main(env);
    Launcher l = m.launch(args);
    if (l != null) {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().join();
      throw new AssertionError("expected a failure, but Clymene started: " + Arrays.toString(args));
    }
    return m.exitCode();
  }

  private int run(String... args) {
    return run(Map.of(), args);
  }

  private List<String> errLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private Path scrapeConfig() throws IOException {
    return write("prometheus.yml", "scrape_configs:\n  - job_name: x\n    static_configs: [{targets: ['127.0.0.1:1']}]\n");
  }

  @Test
  void helpAndVersion() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--role", "check-config", "CLYMENE_");
    out.reset();
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("clymene ");
  }

  @Test
  void badRoleOrArgument() {
    assertThat(run("--role", "collector")).isEqualTo(1);
    assertThat(errLines().get(0)).isEqualTo(
        "clymene: --role: expected one of all-in-one, agent, gateway, ingester, got 'collector'");
    err.reset();
    assertThat(run("stray")).isEqualTo(1);
    assertThat(errLines().get(0)).contains("unexpected argument 'stray'");
  }

  @Test
  void unknownKeyFailsWithOneLine() throws IOException {
    Path cfg = write("c.yaml", "admin:\n  port: 15691\n  prot: 1\n");
    assertThat(run("--config", cfg.toString(), "--config.file", scrapeConfig().toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + cfg
        + ": admin.prot: unknown key (expected one of: host, port)");
  }

  @Test
  void wrongTypeFailsWithOneLine() throws IOException {
    Path cfg = write("c.yaml", "storage:\n  - type: embedded\n    http_port: lots\n");
    assertThat(run("--config", cfg.toString(), "--config.file", scrapeConfig().toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + cfg
        + ": storage[0].http_port: expected a port number (0-65535), got 'lots'");
  }

  @Test
  void badIngesterSettingsFailCheckConfigWithOneLine() throws IOException {
    Path cfg = write("i.yaml", "kafka:\n  topic: metrics\n  consumer:\n    dead_letter_topic: metrics\n"
        + "storage:\n  - type: discard\n");
    assertThat(run("check-config", "--role", "ingester", "--config", cfg.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + cfg + ": kafka.consumer.dead_letter_topic: "
        + "must differ from kafka.topic (metrics), or undecodable records would come back");
    err.reset();
    Path auto = write("auto.yaml", "kafka:\n  consumer:\n    properties: {enable.auto.commit: true}\n"
        + "storage:\n  - type: discard\n");
    assertThat(run("check-config", "--role", "ingester", "--config", auto.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + auto + ": kafka.consumer.properties."
        + "enable.auto.commit: cannot be set: the ingester commits offsets itself, only for records every writer "
        + "has taken");
    err.reset();
    assertThat(run("check-config", "--role", "ingester", "--config", cfg.toString(),
        "--kafka.consumer.dead_letter_topic=metrics.dead", "--kafka.consumer.commit_interval=soon")).isEqualTo(1);
    assertThat(errLines().get(0)).startsWith("clymene: config error: --kafka.consumer.commit_interval: "
        + "kafka.consumer.commit_interval: expected a duration");
  }

  @Test
  void missingFilesFailWithOneLine() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertThat(run("--config", missing.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + missing
        + ": cannot read the file: it does not exist");
    err.reset();
    Path noScrape = dir.resolve("none.yml");
    assertThat(run("--role", "agent", "--config.file", noScrape.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + noScrape
        + ": cannot read the file: it does not exist");
  }

  @Test
  void brokenYamlAndBadPrometheusConfig() throws IOException {
    Path cfg = write("c.yaml", "admin: [unclosed\n");
    assertThat(run("--config", cfg.toString())).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().get(0)).startsWith("clymene: config error: " + cfg + ": not valid YAML");
    err.reset();
    Path prom = write("p.yml", "scrape_configs:\n  - job_name: a\n    scrape_interval: often\n");
    assertThat(run("--role", "agent", "--config.file", prom.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + prom
        + ": scrape_configs[0].scrape_interval: expected a duration such as 500ms, 15s or 1m30s, got 'often'");
  }

  @Test
  void flagsAndEnvironmentAreNamedWhenWrong() throws IOException {
    assertThat(run("--role", "gateway", "--admin.port=http")).isEqualTo(1);
    assertThat(errLines()).containsExactly(
        "clymene: config error: --admin.port: admin.port: expected a port number (0-65535), got 'http'");
    err.reset();
    assertThat(run(Map.of("CLYMENE_ADMIN_HOST", "[1, 2]"), "--role", "gateway")).isEqualTo(1);
    assertThat(errLines()).containsExactly(
        "clymene: config error: CLYMENE_ADMIN_HOST: admin.host: expected a string, got a list");
  }

  @Test
  void adminPortInUseFailsWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Path cfg = write("c.yaml", "admin:\n  host: 127.0.0.1\n  port: " + port + "\nstorage: [{type: discard}]\n");
      assertThat(run("--role", "gateway", "--config", cfg.toString())).isEqualTo(1);
      assertThat(errLines()).containsExactly("clymene: config error: " + cfg + ": admin.port: port " + port
          + " on 127.0.0.1 is already in use (expected a free port)");
    }
  }

  @Test
  void gatewayPortInUseFailsWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Path cfg = write("g.yaml", "admin: {host: 127.0.0.1, port: " + Ports.free() + "}\ngateway:\n"
          + "  grpc: {host: 127.0.0.1, port: " + Ports.free() + "}\n  http: {host: 127.0.0.1, port: " + port + "}\n"
          + "storage: [{type: discard}]\n");
      assertThat(run("--role", "gateway", "--config", cfg.toString(), "--data_dir=" + dir.resolve("d"))).isEqualTo(1);
      assertThat(errLines()).containsExactly("clymene: config error: " + cfg + ": gateway.http.port: port " + port
          + " on 127.0.0.1 is already in use (expected a free port)");
    }
  }

  @Test
  void embeddedStorePortInUseFailsWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Path cfg = write("c.yaml", "admin: {host: 127.0.0.1, port: " + Ports.free() + "}\nstorage:\n"
          + "  - type: embedded\n    data_dir: " + dir.resolve("data") + "\n    http_port: " + port + "\n");
      assertThat(run("--config", cfg.toString(), "--config.file", scrapeConfig().toString())).isEqualTo(1);
      assertThat(errLines()).containsExactly("clymene: config error: " + cfg + ": storage[0].http_port: port " + port
          + " on 127.0.0.1 is already in use (expected a free port for the embedded store's SQL console)");
    }
  }

  @Test
  void checkConfigValidatesWithoutStarting() throws IOException {
    Path cfg = write("c.yaml", "admin: {port: 15691}\nstorage:\n  - type: prometheus\n"
        + "    url: http://127.0.0.1:9/api/v1/write\n");
    assertThat(run("check-config", "--config", cfg.toString(), "--config.file", scrapeConfig().toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("configuration is valid");

    Path bad = write("bad.yaml", "storage:\n  - type: prometheus\n");
    assertThat(run("check-config", "--config", bad.toString(), "--config.file", scrapeConfig().toString()))
        .isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + bad
        + ": storage[0].url: missing; a prometheus writer needs the receiver's URL");
  }

  @Test
  void clusterKeysAreCheckedAndBadOnesNamed() throws IOException {
    Path cfg = write("c.yaml", "storage:\n  - type: prometheus\n    url: http://127.0.0.1:9/api/v1/write\n"
        + "cluster:\n  members: ['127.0.0.1:5801', '127.0.0.1:5802']\n  replication_factor: 2\n");
    assertThat(run("check-config", "--cluster", "--config", cfg.toString(), "--config.file",
        scrapeConfig().toString())).isZero();
    assertThat(run("check-config", "--cluster", "--cluster.members=['127.0.0.1:5801-5805']", "--config",
        cfg.toString(), "--config.file", scrapeConfig().toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: --cluster.members: cluster.members[0]: expected a "
        + "port number after ':' in '127.0.0.1:5801-5805' (one port; ranges such as 5801-5805 are not supported, "
        + "list each member)");
  }

  @Test
  void agentWithoutAnyWriterIsRejected() throws IOException {
    Path prom = scrapeConfig();
    assertThat(run("check-config", "--role", "agent", "--config.file", prom.toString())).isEqualTo(1);
    assertThat(errLines()).containsExactly("clymene: config error: " + prom + ": remote_write: the agent has "
        + "nowhere to send samples: add a remote_write entry here or a storage entry to the Clymene config");
  }
}
