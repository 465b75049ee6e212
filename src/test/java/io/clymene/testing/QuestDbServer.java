package io.clymene.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real QuestDB ({@code org.questdb:questdb}, the build's own dependency) in a JVM of its own on loopback:
 * {@code io.questdb.ServerMain -d <temp dir>} with {@code conf/server.conf} putting HTTP (line protocol and SQL)
 * on a free port, turning PostgreSQL wire, ILP/TCP and UDP, the minimal HTTP server, telemetry and metrics off,
 * and keeping worker pools at one thread and the heap at 256 MB. Ready when {@code /ping} answers 204 (its
 * {@code /} keeps a connection open). Read back with {@link QuestDbApi}. {@link #main} starts one for
 * benchmarks and prints its URL.
 */
public final class QuestDbServer implements AutoCloseable {
  private final ExternalServer server;

  private QuestDbServer(ExternalServer server) {
    this.server = server;
  }

  /**
   * Starts a server for tests: its JVM compiles with C1 only, which starts (and restarts, in outage tests) much
   * faster on a busy machine. Benchmarks use {@link #startForThroughput()}.
   */
  public static QuestDbServer start() throws IOException {
    return start("-XX:TieredStopAtLevel=1");
  }

  /** Starts a server with the JVM's full JIT, for benchmarks. */
  public static QuestDbServer startForThroughput() throws IOException {
    return start("-XX:+TieredCompilation");
  }

  private static QuestDbServer start(String jitFlag) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String conf = String.join("\n",
        "http.bind.to=127.0.0.1:{port}",
        "pg.enabled=false",
        "line.tcp.enabled=false",
        "line.udp.enabled=false",
        "http.min.enabled=false",
        "telemetry.enabled=false",
        "metrics.enabled=false",
        "shared.worker.count=1",
        "http.worker.count=1",
        "wal.apply.worker.count=1",
        "mat.view.refresh.worker.count=1",
        "");
    return new QuestDbServer(ExternalServer.builder("questdb", java, "openjdk-17-jre-headless")
        .file("conf/server.conf", conf)
        .args("-Xmx256m", "-XX:+UseSerialGC", jitFlag, "-cp", questDbJar(), "io.questdb.ServerMain", "-d", "{dir}")
        .readyHttp("/ping", 204).startTimeout(Duration.ofSeconds(60)).start());
  }

  /** The QuestDB jar on this JVM's class path (the build's dependency). */
  static String questDbJar() {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (new File(entry).getName().matches("questdb-[0-9.]+\\.jar")) {
        return entry;
      }
    }
    throw new AssertionError("no questdb-*.jar on the class path (org.questdb:questdb is a dependency of the build)");
  }

  public String url() {
    return server.url();
  }

  public int port() {
    return server.port();
  }

  /** The process, to stop and start again (same port and data) for outage tests. */
  public ExternalServer process() {
    return server;
  }

  /** SQL over its HTTP endpoint. */
  public QuestDbApi api() {
    return new QuestDbApi(server.port());
  }

  @Override
  public void close() {
    server.close();
  }

  /** Starts a server for a benchmark, prints its URL and runs until killed. */
  public static void main(String[] args) throws Exception {
    QuestDbServer s = startForThroughput();
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    System.out.println("questdb " + s.url());
    Thread.currentThread().join();
  }
}
