/*
 * A single OpenSearch 2.19 node for scripts/opensearch (tests, benchmarks, demos), run in Java
 * source-file mode against the jars scripts/opensearch resolves (never part of Clymene's build):
 *
 *   java -Xmx256m -cp "<opensearch jars>" scripts/OpenSearchNode.java --data DIR [--http-port N] [--transport-port N]
 *
 * It subclasses org.opensearch.node.Node to call the protected constructor that takes plugin classes,
 * so it needs no distribution: no plugin or module folders, no security manager, no bootstrap checks.
 * Only the Netty 4 transport (HTTP and node-to-node) is loaded. Everything listens on 127.0.0.1;
 * port 0 lets the system choose. Data and logs go under DIR and survive a restart. Once the node is
 * started it prints "http port N" on standard output; SIGTERM (or Ctrl-C) closes it cleanly.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

public class OpenSearchNode extends Node {

  OpenSearchNode(Environment environment) {
    super(environment, List.of(Netty4Plugin.class), true);
  }

  public static void main(String[] args) throws Exception {
    Path data = null;
    String httpPort = "0";
    String transportPort = "0";
    String clusterName = "clymene";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing the value of " + a);
      }
      switch (a) {
        case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
        case "--http-port" -> httpPort = args[++i];
        case "--transport-port" -> transportPort = args[++i];
        case "--cluster-name" -> clusterName = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + a
            + " (expected --data DIR, --http-port N, --transport-port N, --cluster-name NAME)");
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    Files.createDirectories(data.resolve("data"));
    Files.createDirectories(data.resolve("logs"));
    Settings settings = Settings.builder()
        .put("path.home", data.toString())
        .put("path.data", data.resolve("data").toString())
        .put("path.logs", data.resolve("logs").toString())
        .put("cluster.name", clusterName)
        .put("node.name", "clymene-node")
        .put("network.host", "127.0.0.1")
        .put("http.port", httpPort)
        .put("transport.port", transportPort)
        .put("discovery.type", "single-node")
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        // a test node: no periodic disk checks or usage reporting
        .put("action.auto_create_index", true)
        .build();
    Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null,
        () -> "clymene-node");
    Node node = new OpenSearchNode(environment);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
        node.awaitClose(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("opensearch node: close failed: " + e);
      } finally {
        closed.countDown();
      }
    }, "opensearch-node-close"));
    node.start();
    int port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
    System.out.println("http port " + port);
    System.out.flush();
    // the node's threads are daemons: this one keeps the JVM alive until the shutdown hook has closed it
    closed.await();
  }
}
