package io.clymene.agent.discovery;

import io.clymene.agent.discovery.consul.ConsulSdConfig;
import io.clymene.agent.discovery.dns.DnsSdConfig;
import io.clymene.agent.discovery.file.FileSdConfig;
import io.clymene.agent.discovery.http.HttpSdConfig;
import io.clymene.agent.discovery.kubernetes.KubernetesSdConfig;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The service discovery mechanisms Clymene implements, by their {@code scrape_configs} key. Other
 * mechanisms Prometheus knows are accepted with a warning and discover nothing.
 */
public final class SdConfigs {

  /** Parses one entry of a {@code *_sd_configs} list, failing with a ConfigException naming the path. */
  @FunctionalInterface
  public interface Parser {
    /**
     * @param raw the entry, already checked against the mechanism's schema
     * @param path its key path, e.g. {@code scrape_configs[0].file_sd_configs[1]}
     * @param baseDir the directory of the configuration file, for relative file names
     */
    SdConfig parse(JsonObject raw, String path, Path baseDir);
  }

  /**
   * One mechanism.
   *
   * @param key the scrape_configs key, e.g. {@code file_sd_configs}
   * @param schema the shape of one entry
   * @param parser turns an entry into its configuration
   */
  public record Mechanism(String key, Supplier<ObjectSchema> schema, Parser parser) {
  }

  private static final Map<String, Mechanism> KNOWN = new LinkedHashMap<>();

  static {
    add(new Mechanism("file_sd_configs", FileSdConfig::schema, FileSdConfig::parse));
    add(new Mechanism("http_sd_configs", HttpSdConfig::schema, HttpSdConfig::parse));
    add(new Mechanism("dns_sd_configs", DnsSdConfig::schema, DnsSdConfig::parse));
    add(new Mechanism("kubernetes_sd_configs", KubernetesSdConfig::schema, KubernetesSdConfig::parse));
    add(new Mechanism("consul_sd_configs", ConsulSdConfig::schema, ConsulSdConfig::parse));
  }

  private SdConfigs() {
  }

  private static void add(Mechanism m) {
    KNOWN.put(m.key(), m);
  }

  /** The mechanism of a scrape_configs key, or null when Clymene does not implement it. */
  public static Mechanism of(String key) {
    return KNOWN.get(key);
  }

  /** Every implemented mechanism. */
  public static Iterable<Mechanism> all() {
    return KNOWN.values();
  }
}
