package io.clymene.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Clymene settings of one process, read from a normalized {@code clymene.yaml} tree with defaults
 * applied. Immutable.
 */
public final class ClymeneOptions {
  /** Default bind address of every server. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** Default Prometheus-format scrape config. */
  public static final String DEFAULT_SCRAPE_CONFIG = "conf/prometheus.yml";
  /** Where writers keep their disk queues ({@code <data_dir>/spill/<writer>}) unless told otherwise. */
  public static final String DEFAULT_DATA_DIR = "data";
  public static final int DEFAULT_GATEWAY_GRPC_PORT = 15610;
  public static final int DEFAULT_GATEWAY_HTTP_PORT = 15611;

  private final Role role;
  private final String source;
  private final JsonObject tree;
  private final ServerAddress admin;
  private final String dataDir;
  private final String scrapeConfigFile;
  private final String agentOutput;
  private final String gatewayOutput;
  private final ServerAddress gatewayGrpc;
  private final ServerAddress gatewayHttp;
  private final boolean clusterEnabled;
  private final List<JsonObject> storage;

  /**
   * @param role the role this process runs
   * @param source where the tree came from (a file name or "defaults"), for messages
   * @param tree the normalized configuration tree
   */
  public ClymeneOptions(Role role, String source, JsonObject tree) {
    this.role = role;
    this.source = source;
    this.tree = tree.copy();
    this.admin = ServerAddress.from(tree.getJsonObject("admin"), "admin", DEFAULT_HOST, role.defaultAdminPort());
    this.dataDir = tree.getString("data_dir", DEFAULT_DATA_DIR);
    JsonObject agent = tree.getJsonObject("agent", new JsonObject());
    this.scrapeConfigFile = agent.getString("config_file", DEFAULT_SCRAPE_CONFIG);
    this.agentOutput = agent.getString("output", "storage");
    JsonObject gateway = tree.getJsonObject("gateway", new JsonObject());
    this.gatewayOutput = gateway.getString("output", "storage");
    this.gatewayGrpc = ServerAddress.from(gateway.getJsonObject("grpc"), "gateway.grpc", DEFAULT_HOST,
        DEFAULT_GATEWAY_GRPC_PORT);
    this.gatewayHttp = ServerAddress.from(gateway.getJsonObject("http"), "gateway.http", DEFAULT_HOST,
        DEFAULT_GATEWAY_HTTP_PORT);
    this.clusterEnabled = tree.getJsonObject("cluster", new JsonObject()).getBoolean("enabled", false);
    JsonArray entries = tree.getJsonArray("storage");
    List<JsonObject> list = new ArrayList<>();
    if (entries == null) {
      if (role == Role.ALL_IN_ONE) {
        list.add(new JsonObject().put("type", "embedded"));
      }
    } else {
      for (int i = 0; i < entries.size(); i++) {
        list.add(entries.getJsonObject(i));
      }
    }
    this.storage = Collections.unmodifiableList(list);
  }

  public Role role() {
    return role;
  }

  /** Where the settings came from, for messages. */
  public String source() {
    return source;
  }

  /** A copy of the normalized tree. */
  public JsonObject tree() {
    return tree.copy();
  }

  public ServerAddress admin() {
    return admin;
  }

  /** The directory for the process' own files (writers' disk queues). */
  public String dataDir() {
    return dataDir;
  }

  /** The Prometheus-format scrape config file ({@code agent.config_file} or {@code --config.file}). */
  public String scrapeConfigFile() {
    return scrapeConfigFile;
  }

  public String agentOutput() {
    return agentOutput;
  }

  public String gatewayOutput() {
    return gatewayOutput;
  }

  public ServerAddress gatewayGrpc() {
    return gatewayGrpc;
  }

  public ServerAddress gatewayHttp() {
    return gatewayHttp;
  }

  public boolean clusterEnabled() {
    return clusterEnabled;
  }

  /**
   * The storage entries (normalized maps, each with a {@code type}); the all-in-one defaults to the
   * embedded store when the key is absent.
   */
  public List<JsonObject> storage() {
    return storage;
  }
}
