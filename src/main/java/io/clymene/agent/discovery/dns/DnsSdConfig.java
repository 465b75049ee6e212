package io.clymene.agent.discovery.dns;

import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.integer;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.SdConfig;
import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code dns_sd_configs} entry, as in Prometheus 2.42: the {@code names} are looked up every
 * {@code refresh_interval} (default 30s) for records of {@code type} (SRV by default; A, AAAA or MX with
 * the required {@code port}). Each name gives one target group whose source is the name; targets carry
 * {@code __meta_dns_name}, and {@code __meta_dns_srv_record_target}/{@code _port} or
 * {@code __meta_dns_mx_record_target} (those keep the record's trailing dot, {@code __address__} does not).
 * An NXDOMAIN or empty answer empties the group; a name no server answers keeps its last group and is
 * reported as a failure.
 *
 * <p><b>Which DNS servers are asked.</b> Prometheus asks the {@code nameserver}s of
 * {@code /etc/resolv.conf} on port 53, in order, and so does Clymene by default (the file is read again at
 * every refresh). Because prometheus.yml has no key for it, Clymene takes an override from outside that
 * file: the system property {@code clymene.dns.servers}, else the environment variable
 * {@code CLYMENE_DNS_SERVERS}, each a comma-separated list of IP addresses with optional ports, e.g.
 * {@code 127.0.0.1:5353,[::1]:53}. The servers are asked in order until one gives a usable answer
 * (records, no records, or NXDOMAIN). Search domains and {@code ndots} are not applied: a name is looked up
 * as written, with or without its trailing dot.
 *
 * @param names the names to look up, as configured
 * @param type the record type to ask for
 * @param port the port of A, AAAA and MX targets (not used for SRV)
 * @param refreshInterval the time between lookups
 */
public record DnsSdConfig(List<String> names, RecordType type, int port, Duration refreshInterval)
    implements SdConfig {
  static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

  public DnsSdConfig {
    names = List.copyOf(names);
  }

  /** The keys of one entry. */
  public static ObjectSchema schema() {
    return object()
        .field("names", listOf(string()))
        .field("type", string())
        .field("port", integer(Integer.MIN_VALUE, Integer.MAX_VALUE))
        .field("refresh_interval", duration());
  }

  /** Parses one entry, with Prometheus' checks and messages. */
  public static DnsSdConfig parse(JsonObject raw, String path, Path baseDir) {
    JsonArray list = raw.getJsonArray("names");
    List<String> names = new ArrayList<>();
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        names.add(list.getString(i) == null ? "" : list.getString(i));
      }
    }
    if (names.isEmpty()) {
      throw new ConfigException(null, path + ".names", "DNS-SD config must contain at least one SRV record name");
    }
    String typeText = raw.getString("type", "SRV");
    RecordType type = RecordType.of(typeText);
    if (type == null) {
      throw new ConfigException(null, path + ".type",
          "invalid DNS-SD records type " + typeText + " (expected SRV, A, AAAA or MX)");
    }
    long port = raw.getLong("port", 0L);
    if (type != RecordType.SRV && port == 0) {
      throw new ConfigException(null, path + ".port",
          "a port is required in DNS-SD configs for all record types except SRV");
    }
    Duration refresh = DEFAULT_REFRESH;
    if (raw.containsKey("refresh_interval")) {
      refresh = Durations.parse(raw.getString("refresh_interval"));
      if (refresh.isZero()) {
        throw new ConfigException(null, path + ".refresh_interval", "must be greater than 0");
      }
    }
    return new DnsSdConfig(names, type, (int) port, refresh);
  }

  @Override
  public String mechanism() {
    return "dns";
  }

  @Override
  public Discoverer create(DiscoveryContext context) {
    return new DnsDiscoverer(this, context, () -> NameServers.system(context.vertx()));
  }
}
