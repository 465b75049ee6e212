package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.config.TargetGroup;
import io.clymene.config.Durations;
import io.clymene.model.Labels;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns discovered target groups into {@link ScrapeTarget}s the way Prometheus 2.x does: the internal
 * labels {@code __address__}, {@code __scheme__}, {@code __metrics_path__}, {@code __scrape_interval__},
 * {@code __scrape_timeout__} and {@code __param_*} are set from the scrape config, {@code job} is added,
 * a missing port gets the scheme's default, {@code instance} defaults to the address, and labels
 * starting with {@code __} are removed from the final set.
 */
public final class TargetBuilder {
  private static final String ADDRESS = "__address__";
  private static final String SCHEME = "__scheme__";
  private static final String METRICS_PATH = "__metrics_path__";
  private static final String INTERVAL = "__scrape_interval__";
  private static final String TIMEOUT = "__scrape_timeout__";
  private static final String PARAM = "__param_";

  private TargetBuilder() {
  }

  /** Every target of every static group of a job. */
  public static List<ScrapeTarget> staticTargets(ScrapeConfig config) {
    List<ScrapeTarget> targets = new ArrayList<>();
    for (TargetGroup group : config.staticConfigs()) {
      targets.addAll(fromGroup(config, group));
    }
    return targets;
  }

  /** The targets of one group. */
  public static List<ScrapeTarget> fromGroup(ScrapeConfig config, TargetGroup group) {
    List<ScrapeTarget> targets = new ArrayList<>();
    for (String address : group.targets()) {
      Map<String, String> discovered = group.labels().toMap();
      discovered.put(ADDRESS, address);
      targets.add(build(config, Labels.of(discovered)));
    }
    return targets;
  }

  /** One target from its discovered labels. */
  public static ScrapeTarget build(ScrapeConfig config, Labels discovered) {
    Map<String, String> l = discovered.toMap();
    l.putIfAbsent("job", config.jobName());
    l.putIfAbsent(SCHEME, config.scheme());
    l.putIfAbsent(METRICS_PATH, config.metricsPath());
    l.putIfAbsent(INTERVAL, Durations.format(config.scrapeInterval()));
    l.putIfAbsent(TIMEOUT, Durations.format(config.scrapeTimeout()));
    config.params().forEach((name, values) -> {
      if (!values.isEmpty()) {
        l.putIfAbsent(PARAM + name, values.get(0));
      }
    });
    String scheme = l.get(SCHEME);
    String address = withDefaultPort(l.get(ADDRESS), scheme);
    l.put(ADDRESS, address);
    Duration interval = Durations.parse(l.get(INTERVAL));
    Duration timeout = Durations.parse(l.get(TIMEOUT));
    String url = url(scheme, address, l.get(METRICS_PATH), config.params(), l);
    Map<String, String> fin = new LinkedHashMap<>();
    l.forEach((k, v) -> {
      if (!k.startsWith("__")) {
        fin.put(k, v);
      }
    });
    fin.putIfAbsent("instance", address);
    return new ScrapeTarget(config, Labels.of(fin), discovered, url, interval, timeout);
  }

  private static String withDefaultPort(String address, String scheme) {
    if (address.startsWith("[")) {
      return address.contains("]:") ? address : address + (scheme.equals("https") ? ":443" : ":80");
    }
    return address.contains(":") ? address : address + (scheme.equals("https") ? ":443" : ":80");
  }

  private static String url(String scheme, String address, String path, Map<String, List<String>> params,
                            Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(scheme).append("://").append(address).append(path);
    // Go's url.Values.Encode, which Prometheus uses, sorts by key
    Map<String, List<String>> query = new java.util.TreeMap<>(params);
    labels.forEach((k, v) -> {
      if (k.startsWith(PARAM)) {
        String name = k.substring(PARAM.length());
        List<String> values = new ArrayList<>(query.getOrDefault(name, List.of()));
        if (values.isEmpty()) {
          values.add(v);
        } else {
          values.set(0, v);
        }
        query.put(name, values);
      }
    });
    char sep = path.contains("?") ? '&' : '?';
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      for (String v : e.getValue()) {
        sb.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    return sb.toString();
  }
}
