package io.clymene.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server binary (Prometheus, node_exporter, ...) started by a test on loopback, in its own temp
 * directory, logging to a file, stopped by PID. A missing binary fails the test with the Debian package
 * to install (scripts/test installs it). {@link #stop} and {@link #start} take it down and bring it back
 * with the same command, port and directory (its data), for outage tests.
 */
public final class ExternalServer implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final String readyPath;
  private final Path dir;
  private final Path log;
  private final int port;
  private volatile Process process;

  private ExternalServer(String name, List<String> command, String readyPath, Path dir, Path log, int port) {
    this.name = name;
    this.command = List.copyOf(command);
    this.readyPath = readyPath;
    this.dir = dir;
    this.log = log;
    this.port = port;
  }

  /** The path of a binary, or an assertion error naming the package that provides it. */
  public static String requireBinary(String binary, String debianPackage) {
    for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File f = new File(p, binary);
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    for (String p : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
      File f = new File(p, binary);
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    throw new AssertionError("'" + binary + "' is not installed: install the Debian package '" + debianPackage
        + "' (scripts/test installs it)");
  }

  /**
   * Starts a binary; {@code args} may use {dir} and {port}. Waits until {@code readyPath} answers 200.
   */
  public static ExternalServer start(String name, String binary, String debianPackage, String readyPath,
                                     String... args) throws IOException {
    String bin = requireBinary(binary, debianPackage);
    Path dir = Files.createTempDirectory("clymene-" + name + "-");
    int port = Ports.free();
    List<String> cmd = new ArrayList<>();
    cmd.add(bin);
    for (String a : args) {
      cmd.add(a.replace("{dir}", dir.toString()).replace("{port}", Integer.toString(port)));
    }
    ExternalServer server = new ExternalServer(name, cmd, readyPath, dir, dir.resolve(name + ".log"), port);
    try {
      server.start();
    } catch (AssertionError | IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Starts the server (again): the same command, port and directory, so it finds the data it had. Waits
   * until it is ready; the log is appended to.
   */
  public void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(this + " is running");
    }
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    process = p;
    Await.until(name + " on port " + port + " to be ready", Duration.ofSeconds(30), () -> {
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited: " + logTail());
      }
      var r = Http.get("http://127.0.0.1:" + port + readyPath);
      return r != null && r.statusCode() == 200 ? Boolean.TRUE : null;
    });
  }

  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits until it has exited; its directory stays. */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the server process is running. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** A real Prometheus 2.x server with the remote-write receiver on. */
  public static ExternalServer prometheusReceiver() throws IOException {
    Path cfg = Files.createTempFile("prom-receiver-", ".yml");
    Files.writeString(cfg, "global:\n  scrape_interval: 1h\n");
    cfg.toFile().deleteOnExit(); // kept until then: a restarted server reads it again
    return start("prometheus", "prometheus", "prometheus", "/-/ready",
        "--config.file=" + cfg, "--storage.tsdb.path={dir}/data", "--web.listen-address=127.0.0.1:{port}",
        "--web.enable-remote-write-receiver");
  }

  /**
   * A real VictoriaMetrics (single node) as a remote-write receiver, keeping every raw sample (no
   * deduplication) and showing fresh data after one second.
   */
  public static ExternalServer victoriaMetrics() throws IOException {
    return start("victoria-metrics", "victoria-metrics", "victoria-metrics", "/health",
        "-httpListenAddr=127.0.0.1:{port}", "-storageDataPath={dir}/data", "-search.latencyOffset=1s",
        "-retentionPeriod=100y", "-loggerLevel=ERROR");
  }

  /** A real node_exporter. */
  public static ExternalServer nodeExporter() throws IOException {
    return start("node_exporter", "prometheus-node-exporter", "prometheus-node-exporter", "/metrics",
        "--web.listen-address=127.0.0.1:{port}");
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
    TempDirs.delete(dir);
  }

  @Override
  public String toString() {
    return name + " on " + port;
  }
}
