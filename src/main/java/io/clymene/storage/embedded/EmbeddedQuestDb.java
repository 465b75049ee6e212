package io.clymene.storage.embedded;

import io.clymene.config.ConfigException;
import io.questdb.Bootstrap;
import io.questdb.PropBootstrapConfiguration;
import io.questdb.ServerMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QuestDB running inside this JVM: data under {@code data_dir}, its HTTP endpoint (SQL console, ILP
 * writes) on {@code http_host:http_port}, everything else it could open (PostgreSQL wire, ILP/TCP and
 * UDP, the minimal HTTP server, telemetry) turned off, and its worker pools kept small so the
 * all-in-one stays light. Its own log goes to {@code data_dir/log}. Start and stop block: call them
 * from a worker thread.
 */
final class EmbeddedQuestDb {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedQuestDb.class);

  private final Path dataDir;
  private final String host;
  private final int port;
  private final String portKeyPath;
  private ServerMain server;

  EmbeddedQuestDb(Path dataDir, String host, int port, String portKeyPath) {
    this.dataDir = dataDir;
    this.host = host;
    this.port = port;
    this.portKeyPath = portKeyPath;
  }

  /** Starts the server (blocking, a few seconds). */
  void start() throws IOException {
    checkPortFree();
    Files.createDirectories(dataDir.resolve("conf"));
    Path logConf = dataDir.resolve("conf").resolve("log.conf");
    if (!Files.exists(logConf)) {
      Files.writeString(logConf, String.join("\n",
          "# written by Clymene: QuestDB logs errors to data_dir/log, rolled daily or at 16 MB, 64 MB at most",
          "writers=file",
          "w.file.class=io.questdb.log.LogRollingFileWriter",
          "w.file.location=${log.dir}/questdb-${date:yyyyMMdd}.log",
          "w.file.level=ERROR,CRITICAL,ADVISORY",
          "w.file.rollEvery=day",
          "w.file.rollSize=16m",
          "w.file.sizeLimit=64m",
          "queueDepth=256",
          "recordLength=2048",
          ""));
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(settings());
    long t0 = System.nanoTime();
    server = new ServerMain(new Bootstrap(new PropBootstrapConfiguration() {
      @Override
      public Map<String, String> getEnv() {
        return env;
      }
    }, "-d", dataDir.toAbsolutePath().toString(), "-n"));
    server.start();
    LOG.info("embedded QuestDB started in {} ms: data in {}, SQL console on http://{}:{}",
        (System.nanoTime() - t0) / 1_000_000, dataDir, host, port);
  }

  /** Stops the server (blocking), keeping the data. */
  void stop() {
    if (server != null) {
      server.close();
      server = null;
      LOG.info("embedded QuestDB stopped");
    }
  }

  /** QuestDB settings as environment overrides (QDB_*); the user's own QDB_* variables still apply first. */
  private Map<String, String> settings() {
    Map<String, String> s = new HashMap<>();
    s.put("QDB_HTTP_BIND_TO", host + ":" + port);
    s.put("QDB_PG_ENABLED", "false");
    s.put("QDB_LINE_TCP_ENABLED", "false");
    s.put("QDB_LINE_UDP_ENABLED", "false");
    s.put("QDB_HTTP_MIN_ENABLED", "false");
    s.put("QDB_TELEMETRY_ENABLED", "false");
    s.put("QDB_TELEMETRY_DISABLE_COMPLETELY", "true");
    s.put("QDB_METRICS_ENABLED", "false");
    // small pools and pages: a collector's store sees modest write rates
    s.put("QDB_SHARED_WORKER_COUNT", "1");
    s.put("QDB_HTTP_WORKER_COUNT", "1");
    s.put("QDB_WAL_APPLY_WORKER_COUNT", "1");
    s.put("QDB_CAIRO_WRITER_DATA_APPEND_PAGE_SIZE", "64k");
    s.put("QDB_CAIRO_WAL_WRITER_DATA_APPEND_PAGE_SIZE", "64k");
    s.put("QDB_CAIRO_SYSTEM_WRITER_DATA_APPEND_PAGE_SIZE", "64k");
    s.put("QDB_CAIRO_SYSTEM_WAL_WRITER_DATA_APPEND_PAGE_SIZE", "64k");
    s.put("QDB_CAIRO_WRITER_DATA_INDEX_VALUE_APPEND_PAGE_SIZE", "64k");
    s.put("QDB_CAIRO_WRITER_DATA_INDEX_KEY_APPEND_PAGE_SIZE", "16k");
    s.put("QDB_CAIRO_WAL_WRITER_EVENT_APPEND_PAGE_SIZE", "16k");
    s.put("QDB_CAIRO_SYSTEM_WAL_WRITER_EVENT_APPEND_PAGE_SIZE", "16k");
    // per-table buffers: these are multiplied by the number of metric names (one table each)
    s.put("QDB_CAIRO_WRITER_COMMAND_QUEUE_CAPACITY", "4");
    s.put("QDB_CAIRO_SQL_COPY_BUFFER_SIZE", "128k");
    s.put("QDB_HTTP_CONNECTION_POOL_INITIAL_CAPACITY", "2");
    s.put("QDB_HTTP_SEND_BUFFER_SIZE", "1m");
    // SQL object pools are sized for heavy query servers (~50 MB of heap); a console needs far fewer
    s.put("QDB_CAIRO_MODEL_POOL_CAPACITY", "64");
    s.put("QDB_CAIRO_EXPRESSION_POOL_CAPACITY", "512");
    s.put("QDB_CAIRO_COLUMN_POOL_CAPACITY", "256");
    s.put("QDB_CAIRO_LEXER_POOL_CAPACITY", "256");
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("QDB_")) {
        s.put(k, v);
      }
    });
    return s;
  }

  private void checkPortFree() {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new ConfigException(null, portKeyPath, "port " + port + " on " + host
          + " is already in use (expected a free port for the embedded store's SQL console)");
    }
  }
}
