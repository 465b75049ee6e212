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
 * to install (scripts/test installs it).
 */
public final class ExternalServer implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path dir;
  private final Path log;
  private final int port;

  private ExternalServer(String name, Process process, Path dir, Path log, int port) {
    this.name = name;
    this.process = process;
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
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ExternalServer server = new ExternalServer(name, p, dir, log, port);
    try {
      Await.until(name + " on port " + port + " to be ready", Duration.ofSeconds(30), () -> {
        if (!p.isAlive()) {
          throw new AssertionError(name + " exited: " + server.logTail());
        }
        var r = Http.get("http://127.0.0.1:" + port + readyPath);
        return r != null && r.statusCode() == 200 ? Boolean.TRUE : null;
      });
    } catch (AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** A real Prometheus 2.x server with the remote-write receiver on. */
  public static ExternalServer prometheusReceiver() throws IOException {
    Path cfg = Files.createTempFile("prom-receiver-", ".yml");
    Files.writeString(cfg, "global:\n  scrape_interval: 1h\n");
    return start("prometheus", "prometheus", "prometheus", "/-/ready",
        "--config.file=" + cfg, "--storage.tsdb.path={dir}/data", "--web.listen-address=127.0.0.1:{port}",
        "--web.enable-remote-write-receiver");
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
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    TempDirs.delete(dir);
  }

  @Override
  public String toString() {
    return name + " on " + port;
  }
}
