package io.clymene.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node OpenSearch 2.19.6 in its own JVM, started through {@code scripts/opensearch} (which
 * resolves the jars into the user's cache once, outside the build) on 127.0.0.1 with free HTTP and
 * transport ports and a temporary data directory (for tests: a 256 MB heap and the C1 compiler only,
 * which starts in half the CPU time); stopped by PID (SIGTERM: the node closes
 * cleanly). {@link #stop} and {@link #startNode} take it down and bring it back on the same port with its data,
 * for outage tests. A first run on a fresh machine downloads the jars (about 45 MB) before the first start.
 */
public final class OpenSearchServer implements AutoCloseable {
  private static final Duration RESOLVE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** C1 only: half the CPU to start (about 7.5 instead of 15 CPU-seconds here), ample for a test's load. */
  private static final String START_FAST = "-XX:TieredStopAtLevel=1";
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final Path script;
  private final Path dir;
  private final Path log;
  private final int port;
  private final int transportPort;
  private final String heap;
  private final String javaOpts;
  private volatile Process process;

  private OpenSearchServer(Path script, Path dir, int port, int transportPort, String heap, String javaOpts) {
    this.heap = heap;
    this.javaOpts = javaOpts;
    this.script = script;
    this.dir = dir;
    this.log = dir.resolve("opensearch.log");
    this.port = port;
    this.transportPort = transportPort;
  }

  /** A node for tests: 256 MB heap, C1 only. Resolves the jars if needed; waits until the node answers. */
  public static OpenSearchServer start() throws IOException {
    return start("256m", START_FAST);
  }

  /**
   * A node with a given heap and extra JVM flags (e.g. {@code start("1g", "")} for a benchmark, where the
   * full JIT pays off). Resolves the jars if needed; waits until the node answers.
   */
  public static OpenSearchServer start(String heap, String javaOpts) throws IOException {
    Path script = Path.of("scripts", "opensearch").toAbsolutePath();
    if (!Files.isExecutable(script)) {
      throw new AssertionError(script + " is missing: run the tests from the repository root");
    }
    resolve(script);
    Path dir = Files.createTempDirectory("clymene-opensearch-");
    OpenSearchServer server = new OpenSearchServer(script, dir, Ports.free(), Ports.free(), heap, javaOpts);
    try {
      server.startNode();
    } catch (AssertionError | IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** {@code scripts/opensearch classpath}: fetches the jars on a fresh machine (may take a while, once). */
  private static void resolve(Path script) throws IOException {
    Path out = Files.createTempFile("clymene-opensearch-resolve-", ".log");
    try {
      Process p = new ProcessBuilder(script.toString(), "classpath").redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(RESOLVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("scripts/opensearch classpath took over " + RESOLVE_TIMEOUT.toMinutes() + " min");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("scripts/opensearch classpath failed: " + Files.readString(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted resolving the OpenSearch jars");
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Starts the node again: the same ports and data directory. Waits until it answers. */
  public void startNode() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(this + " is running");
    }
    ProcessBuilder pb = new ProcessBuilder(script.toString(), "--port", Integer.toString(port), "--transport-port",
        Integer.toString(transportPort), "--data", dir.resolve("node").toString(), "--heap", heap)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (!javaOpts.isBlank()) {
      pb.environment().merge("OPENSEARCH_JAVA_OPTS", javaOpts, (a, b) -> a + " " + b);
    }
    Process p = pb.start();
    process = p; // the script execs java: this is the node's PID
    Await.until("OpenSearch on port " + port + " to answer", START_TIMEOUT, () -> {
      if (!p.isAlive()) {
        throw new AssertionError("OpenSearch exited: " + logTail());
      }
      HttpResponse<String> r = request("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s", null);
      return r != null && r.statusCode() == 200 ? Boolean.TRUE : null;
    });
  }

  /** Stops the node (SIGTERM, SIGKILL after 10 s) and waits until it has exited; its data stays. */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The node's process id, or -1 when it is not running. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  /**
   * A blocking REST call with a JSON body (or none); returns null when the node cannot be reached.
   *
   * @param path the path and query, e.g. {@code /clymene-metrics/_count}
   */
  public HttpResponse<String> request(String method, String path, String json) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
      b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
      if (json != null) {
        b.header("Content-Type", "application/json");
      }
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A REST call that must answer 2xx; returns the body. */
  public String call(String method, String path, String json) {
    HttpResponse<String> r = request(method, path, json);
    if (r == null || r.statusCode() / 100 != 2) {
      throw new AssertionError(method + " " + path + " answered " + (r == null ? "nothing" : r.statusCode()
          + ": " + r.body()));
    }
    return r.body();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The last lines of the node's log, for failure messages. */
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
    return "OpenSearch on " + port;
  }
}
