package io.clymene.cli;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.cluster.ClusterOptions;
import io.clymene.config.ClymeneOptions;
import io.clymene.config.ClymeneSchema;
import io.clymene.config.ConfigException;
import io.clymene.config.ConfigLoader;
import io.clymene.config.ConfigOverrides;
import io.clymene.config.Role;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.clymene.transport.eventbus.Addresses;
import io.clymene.transport.kafka.KafkaConsumerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a role needs from its configuration, loaded and checked: the Clymene settings, the
 * Prometheus-format scrape config (scraping roles), and the storage entries with unique names.
 * {@code check-config} and start-up use the same loading, so they report the same errors.
 *
 * @param options the Clymene settings
 * @param scrape the scrape config, or null for roles that do not scrape
 * @param storage the writers to run
 * @param warnings settings accepted but ignored, to be logged once
 * @param overrides the flags and environment variables, to attribute later errors (e.g. port in use)
 * @param cluster how the process joins a cluster (disabled unless {@code cluster.enabled})
 */
record Configuration(ClymeneOptions options, PrometheusConfig scrape, List<StorageEntry> storage,
                     List<String> warnings, ConfigOverrides overrides, ClusterOptions cluster) {

  /** Loads and checks everything; fails with a {@link ConfigException}. */
  static Future<Configuration> load(Vertx vertx, CommandLine cl, Map<String, String> env,
                                    StorageProviders providers) {
    ObjectSchema schema = ClymeneSchema.create(providers.schemas());
    List<String> warnings = new ArrayList<>();
    ConfigOverrides overrides;
    try {
      overrides = new ConfigOverrides().environment(env, schema, warnings);
      cl.overrides().forEach(overrides::flag);
      if (cl.scrapeConfigPath() != null) {
        overrides.stringFlag("agent.config_file", cl.scrapeConfigPath(), "--config.file");
      }
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Role role = cl.role();
    return ConfigLoader.loadClymene(vertx, role, cl.configPath(), overrides, schema, warnings)
        .compose(options -> {
          ClusterOptions cluster;
          try {
            checkAvailable(options, overrides);
            cluster = cluster(options, overrides);
            if (options.role() == Role.INGESTER) {
              ingester(options, overrides);
            }
          } catch (ConfigException e) {
            return Future.failedFuture(e);
          }
          Future<PrometheusConfig> scrape = role.scrapes()
              ? PrometheusConfigLoader.load(vertx, options.scrapeConfigFile()) : Future.succeededFuture(null);
          return scrape.compose(sc -> {
            try {
              List<StorageEntry> entries = storage(options, sc, providers, overrides);
              if ((sendsToGateway(options) || sendsToKafka(options) || sendsToEventBus(options))
                  && (!options.storage().isEmpty()
                  || (sc != null && !sc.remoteWrite().isEmpty()))) {
                String key = options.role() == Role.GATEWAY ? "gateway.output" : "agent.output";
                warnings.add(key + " is " + entries.get(0).type() + ": everything goes there; not used: "
                    + options.storage().size() + " storage entries of " + options.source()
                    + (sc != null ? ", " + sc.remoteWrite().size() + " remote_write entries of " + sc.file() : ""));
              }
              if (sc != null) {
                sc.warnings().forEach(w -> warnings.add(sc.file() + ": " + w));
              }
              return Future.succeededFuture(new Configuration(options, sc, entries, warnings, overrides, cluster));
            } catch (ConfigException e) {
              return Future.failedFuture(e);
            }
          });
        });
  }

  /**
   * The writers for a newly loaded scrape config (its remote_write entries plus the Clymene config's
   * storage entries), checked as at start.
   */
  List<StorageEntry> storageFor(PrometheusConfig next, StorageProviders providers) {
    return storage(options, next, providers, overrides);
  }

  /** The ingester's Kafka settings, checked (also by {@code check-config}). */
  KafkaConsumerOptions ingester() {
    return ingester(options, overrides);
  }

  private static KafkaConsumerOptions ingester(ClymeneOptions options, ConfigOverrides overrides) {
    try {
      return new KafkaConsumerOptions(options.tree().getJsonObject("kafka", new JsonObject()), DEFAULT_KAFKA_BROKERS);
    } catch (ConfigException e) {
      throw e.withSource(ConfigLoader.sourceOf(overrides, e.path(), options.source()));
    }
  }

  /** The file, flag or variable to name for a problem at {@code path} of the Clymene settings. */
  String sourceOf(String path) {
    return ConfigLoader.sourceOf(overrides, path, options.source());
  }

  private static List<StorageEntry> storage(ClymeneOptions options, PrometheusConfig scrape,
                                            StorageProviders providers, ConfigOverrides overrides) {
    if (sendsToGateway(options)) {
      return agentOutput(options, providers, overrides, GATEWAY_WRITER, new JsonObject());
    }
    if (sendsToEventBus(options)) {
      return agentOutput(options, providers, overrides, EVENTBUS_WRITER,
          new JsonObject().put("timeout", DEFAULT_EVENTBUS_TIMEOUT));
    }
    if (sendsToKafka(options)) {
      JsonObject kafka = options.tree().getJsonObject("kafka", new JsonObject());
      JsonObject entry = new JsonObject().put("type", KAFKA_WRITER).put("name", KAFKA_WRITER)
          .put("brokers", kafka.getString("brokers", DEFAULT_KAFKA_BROKERS))
          .put("topic", kafka.getString("topic", "clymene"))
          .put("encoding", kafka.getString("encoding", "protobuf"));
      for (String key : List.of("producer", "sasl", "tls")) {
        if (kafka.getJsonObject(key) != null) {
          entry.put(key, kafka.getJsonObject(key).copy());
        }
      }
      try {
        return providers.entries(List.of(entry), i -> "kafka");
      } catch (ConfigException e) {
        throw e.withSource(ConfigLoader.sourceOf(overrides, e.path(), options.source()));
      }
    }
    List<JsonObject> all = new ArrayList<>(options.storage());
    int own = all.size();
    if (scrape != null) {
      all.addAll(scrape.remoteWrite());
    }
    List<StorageEntry> entries;
    try {
      entries = providers.entries(all, i -> i < own ? "storage[" + i + "]" : "remote_write[" + (i - own) + "]");
    } catch (ConfigException e) {
      String source = e.path().startsWith("remote_write") ? scrape.file()
          : ConfigLoader.sourceOf(overrides, e.path(), options.source());
      throw e.withSource(source);
    }
    if (options.role() == Role.AGENT && entries.isEmpty()) {
      throw new ConfigException(scrape.file(), "remote_write", "the agent has nowhere to send samples: add a "
          + "remote_write entry here or a storage entry to the Clymene config");
    }
    if ((options.role() == Role.GATEWAY || options.role() == Role.INGESTER) && entries.isEmpty()) {
      throw new ConfigException(options.source(), "storage", "the " + options.role().name().toLowerCase(Locale.ROOT)
          + " has nowhere to send samples: add a storage entry (e.g. type: prometheus with a url)");
    }
    return entries;
  }

  /**
   * The one writer an agent output that is not {@code storage} becomes: type and name {@code output}, keys from
   * {@code agent.<output>} over {@code defaults}; a problem is named at {@code agent.<output>.<key>}.
   */
  private static List<StorageEntry> agentOutput(ClymeneOptions options, StorageProviders providers,
                                                ConfigOverrides overrides, String output, JsonObject defaults) {
    JsonObject entry = defaults.copy().mergeIn(options.tree().getJsonObject("agent", new JsonObject())
        .getJsonObject(output, new JsonObject()).copy()).put("type", output).put("name", output);
    try {
      return providers.entries(List.of(entry), i -> "agent." + output);
    } catch (ConfigException e) {
      String path = e.path().replace("agent." + output + ".type", "agent.output");
      throw new ConfigException(ConfigLoader.sourceOf(overrides, path, options.source()), path, e.problem());
    }
  }

  /** The writer the agent's {@code gateway} output becomes (its type and name). */
  static final String GATEWAY_WRITER = "gateway";

  /** The writer the agent's {@code eventbus} output becomes (its type and name). */
  static final String EVENTBUS_WRITER = "eventbus";
  /** Each event-bus request's reply timeout when {@code agent.eventbus.timeout} is not set. */
  static final String DEFAULT_EVENTBUS_TIMEOUT = "10s";

  /** The writer {@code agent.output: kafka} and {@code gateway.output: kafka} become. */
  static final String KAFKA_WRITER = "kafka";
  /** The brokers when the {@code kafka} section names none (ARCHITECTURE.md). */
  static final String DEFAULT_KAFKA_BROKERS = "127.0.0.1:9092";

  /**
   * Whether the role's output is Kafka ({@code agent.output: kafka} for scraping roles, {@code gateway.output:
   * kafka} for the gateway): one writer of type {@code kafka} from the top-level {@code kafka} section.
   */
  static boolean sendsToKafka(ClymeneOptions options) {
    return (options.role().scrapes() && options.agentOutput().equals("kafka"))
        || (options.role() == Role.GATEWAY && options.gatewayOutput().equals("kafka"));
  }

  /** Whether the agent sends everything to gateways ({@code agent.output: gateway}) instead of its writers. */
  static boolean sendsToGateway(ClymeneOptions options) {
    return options.role().scrapes() && options.agentOutput().equals("gateway");
  }

  /**
   * Whether the agent sends everything over the clustered event bus ({@code agent.output: eventbus}) to the
   * gateways of its cluster: one writer of type {@code eventbus} from the {@code agent.eventbus} section.
   */
  static boolean sendsToEventBus(ClymeneOptions options) {
    return options.role().scrapes() && options.agentOutput().equals("eventbus");
  }

  /** Rejects settings that name parts this version does not have yet, or that cannot work together. */
  private static void checkAvailable(ClymeneOptions options, ConfigOverrides overrides) {
    if (sendsToEventBus(options) && !options.clusterEnabled()) {
      throw new ConfigException(ConfigLoader.sourceOf(overrides, "agent.output", options.source()), "agent.output",
          "'eventbus' needs cluster.enabled: true (start with --cluster)");
    }
    if (sendsToEventBus(options) && options.role() == Role.ALL_IN_ONE) {
      throw new ConfigException(ConfigLoader.sourceOf(overrides, "agent.output", options.source()), "agent.output",
          "the all-in-one consumes " + Addresses.GATEWAY_WRITE + " itself, so agent.output: eventbus would send its "
          + "samples back into its own output; use it with --role agent (or agent.output: storage here)");
    }
  }

  private static ClusterOptions cluster(ClymeneOptions options, ConfigOverrides overrides) {
    try {
      return ClusterOptions.from(options.tree().getJsonObject("cluster"));
    } catch (ConfigException e) {
      throw e.withSource(ConfigLoader.sourceOf(overrides, e.path(), options.source()));
    }
  }
}
