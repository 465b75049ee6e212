package io.clymene.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real server binary (Prometheus, node_exporter, ...) started by a test on loopback, in its own temp
 * directory, logging to a file, stopped by PID. A missing binary fails the test with the Debian package
 * to install (scripts/test installs it). {@link #stop} and {@link #start} take it down and bring it back
 * with the same command, port and directory (its data), for outage tests. {@link #builder} covers servers
 * that need config files, set-up commands, several ports, another readiness check or stop signal.
 */
public final class ExternalServer implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Readiness readiness;
  private final String stopSignal;
  private final Duration startTimeout;
  private final Path dir;
  private final Path log;
  private final int[] ports;
  private volatile Process process;

  /** How a started server shows it is ready. */
  private interface Readiness {
    boolean ready(int port);
  }

  private ExternalServer(String name, List<String> command, Readiness readiness, String stopSignal,
                         Duration startTimeout, Path dir, int[] ports) {
    this.name = name;
    this.command = List.copyOf(command);
    this.readiness = readiness;
    this.stopSignal = stopSignal;
    this.startTimeout = startTimeout;
    this.dir = dir;
    this.log = dir.resolve(name + ".log");
    this.ports = ports;
  }

  /** The path of a binary, or an assertion error naming the package that provides it. */
  public static String requireBinary(String binary, String debianPackage) {
    if (binary.startsWith("/")) {
      if (new File(binary).canExecute()) {
        return binary;
      }
      throw new AssertionError("'" + binary + "' is not installed: install the Debian package '" + debianPackage
          + "' (scripts/test installs it)");
    }
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
    return builder(name, binary, debianPackage).args(args).readyHttp(readyPath, 200).start();
  }

  /**
   * A server to configure and start.
   *
   * @param binary a command on the PATH or an absolute path
   * @param debianPackage the package that provides it, named when it is missing
   */
  public static Builder builder(String name, String binary, String debianPackage) {
    return new Builder(name, binary, debianPackage);
  }

  /** A set-up step run once in the server's directory before its first start. */
  @FunctionalInterface
  public interface Setup {
    void run(Path dir) throws Exception;
  }

  /**
   * What an {@link ExternalServer} needs. In {@link #args} and {@link #file} texts, {dir} is the server's
   * temp directory, {port} its main port and {port1}, {port2}, ... the extra ports of {@link #ports}.
   */
  public static final class Builder {
    private final String name;
    private final String binary;
    private final String debianPackage;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private final List<Setup> setups = new ArrayList<>();
    private int portCount = 1;
    private Readiness readiness = httpReadiness("/", new int[] {200});
    private String stopSignal = "TERM";
    private Duration startTimeout = Duration.ofSeconds(30);

    private Builder(String name, String binary, String debianPackage) {
      this.name = name;
      this.binary = binary;
      this.debianPackage = debianPackage;
    }

    /** Command-line arguments (placeholders replaced). */
    public Builder args(String... args) {
      this.args.addAll(List.of(args));
      return this;
    }

    /** How many free ports to choose: {port} and then {port1}.. (default 1). */
    public Builder ports(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("ports: at least 1");
      }
      this.portCount = count;
      return this;
    }

    /** A file written under the server's directory before the first start (placeholders replaced). */
    public Builder file(String relativePath, String text) {
      files.put(relativePath, text);
      return this;
    }

    /** A step run once before the first start, after the files are written (e.g. initdb). */
    public Builder setup(Setup setup) {
      setups.add(setup);
      return this;
    }

    /** Ready when GET {@code path} on the main port answers one of {@code statuses}. */
    public Builder readyHttp(String path, int... statuses) {
      this.readiness = httpReadiness(path, statuses.length == 0 ? new int[] {200} : statuses.clone());
      return this;
    }

    /** Ready when the main port accepts a TCP connection. */
    public Builder readyTcp() {
      this.readiness = port -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return true;
        } catch (IOException e) {
          return false;
        }
      };
      return this;
    }

    /** The signal {@link #stop} sends first (default TERM; KILL follows after 10 s). */
    public Builder stopSignal(String signal) {
      this.stopSignal = signal;
      return this;
    }

    /** How long a start may take (default 30 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Chooses ports, writes the files, runs the set-up and starts the server; waits until it is ready. */
    public ExternalServer start() throws IOException {
      String bin = requireBinary(binary, debianPackage);
      Path dir = Files.createTempDirectory("clymene-" + name + "-");
      int[] ports = new int[portCount];
      for (int i = 0; i < portCount; i++) {
        int p;
        do {
          p = Ports.free();
        } while (contains(ports, i, p));
        ports[i] = p;
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(bin);
      for (String a : args) {
        cmd.add(expand(a, dir, ports));
      }
      ExternalServer server = new ExternalServer(name, cmd, readiness, stopSignal, startTimeout, dir, ports);
      try {
        for (Map.Entry<String, String> f : files.entrySet()) {
          Path path = dir.resolve(f.getKey());
          Files.createDirectories(path.getParent());
          Files.writeString(path, expand(f.getValue(), dir, ports));
        }
        for (Setup s : setups) {
          s.run(dir);
        }
        server.start();
      } catch (AssertionError | IOException | RuntimeException e) {
        server.close();
        throw e;
      } catch (Exception e) {
        server.close();
        throw new IOException(name + ": set-up failed: " + e, e);
      }
      return server;
    }

    private static boolean contains(int[] a, int n, int v) {
      for (int i = 0; i < n; i++) {
        if (a[i] == v) {
          return true;
        }
      }
      return false;
    }

    private static String expand(String s, Path dir, int[] ports) {
      String r = s.replace("{dir}", dir.toString());
      for (int i = ports.length - 1; i >= 1; i--) {
        r = r.replace("{port" + i + "}", Integer.toString(ports[i]));
      }
      return r.replace("{port}", Integer.toString(ports[0]));
    }
  }

  private static Readiness httpReadiness(String path, int[] statuses) {
    return port -> {
      var r = Http.get("http://127.0.0.1:" + port + path);
      if (r == null) {
        return false;
      }
      for (int s : statuses) {
        if (r.statusCode() == s) {
          return true;
        }
      }
      return false;
    };
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
    Await.until(name + " on port " + ports[0] + " to be ready", startTimeout, () -> {
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited: " + logTail());
      }
      return readiness.ready(ports[0]) ? Boolean.TRUE : null;
    });
  }

  /**
   * Stops the server (its stop signal, SIGKILL after 10 s) and waits until it has exited; its directory
   * stays.
   */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      if ("TERM".equals(stopSignal)) {
        p.destroy();
      } else if (p.isAlive()) {
        new ProcessBuilder("kill", "-" + stopSignal, Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      p.destroyForcibly();
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would; its directory stays. */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
  /** The running server's process id, or -1. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
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
    return victoriaMetricsWith(0);
  }

  /**
   * {@link #victoriaMetrics()} with more ports ({port1}, ...) and flags, e.g. its OpenTSDB listeners:
   * {@code victoriaMetricsWith(1, "-opentsdbListenAddr=127.0.0.1:{port1}")}.
   */
  public static ExternalServer victoriaMetricsWith(int extraPorts, String... extraArgs) throws IOException {
    return builder("victoria-metrics", "victoria-metrics", "victoria-metrics").ports(1 + extraPorts)
        .args("-httpListenAddr=127.0.0.1:{port}", "-storageDataPath={dir}/data", "-search.latencyOffset=1s",
            "-retentionPeriod=100y", "-loggerLevel=ERROR")
        .args(extraArgs).readyHttp("/health", 200).start();
  }

  /** A real node_exporter. */
  public static ExternalServer nodeExporter() throws IOException {
    return start("node_exporter", "prometheus-node-exporter", "prometheus-node-exporter", "/metrics",
        "--web.listen-address=127.0.0.1:{port}");
  }

  /** The main port ({port}). */
  public int port() {
    return ports[0];
  }

  /** Port {@code i}: 0 is the main port, 1.. the extra ones ({port1}, ...). */
  public int port(int i) {
    return ports[i];
  }

  public String url() {
    return "http://127.0.0.1:" + ports[0];
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
    return name + " on " + ports[0];
  }
}
