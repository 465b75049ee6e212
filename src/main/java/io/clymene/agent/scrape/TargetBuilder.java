package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.config.TargetGroup;
import io.clymene.config.Durations;
import io.clymene.model.Labels;
import io.clymene.relabel.Relabeler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns discovered target groups into {@link ScrapeTarget}s the way Prometheus 2.x does
 * (PopulateLabels): the internal labels {@code job}, {@code __scheme__}, {@code __metrics_path__},
 * {@code __scrape_interval__} and {@code __scrape_timeout__} default from the scrape config,
 * {@code __param_*} are set from {@code params}, relabel_configs run (and may drop the target), a
 * missing port gets the scheme's default, {@code __meta_*} labels go, {@code instance} defaults to the
 * address, and labels starting with {@code __} are kept off the series.
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

  /**
   * The outcome for one discovered target: a target to scrape, a target dropped by relabeling, or an
   * error (the target is then neither scraped nor listed).
   *
   * @param target the target, or null
   * @param discovered the labels it was discovered with
   * @param error why it could not be built, or null
   */
  public record Result(ScrapeTarget target, Labels discovered, String error) {
    public boolean dropped() {
      return target == null && error == null;
    }
  }

  /** Every target of every static group of a job (dropped ones and errors left out). */
  public static List<ScrapeTarget> staticTargets(ScrapeConfig config) {
    List<ScrapeTarget> targets = new ArrayList<>();
    for (Result r : fromGroups(config, config.staticConfigs())) {
      if (r.target() != null) {
        targets.add(r.target());
      }
    }
    return targets;
  }

  /** The outcomes for every target of the groups. */
  public static List<Result> fromGroups(ScrapeConfig config, List<TargetGroup> groups) {
    Relabeler relabeler = new Relabeler(config.relabelConfigs());
    List<Result> out = new ArrayList<>();
    for (TargetGroup group : groups) {
      for (Labels target : group.targets()) {
        Map<String, String> discovered = group.labels().toMap();
        for (int i = 0; i < target.size(); i++) {
          discovered.put(target.name(i), target.value(i));
        }
        out.add(build(config, relabeler, discovered, group.source()));
      }
    }
    return out;
  }

  /** One target from its discovered labels. */
  public static Result build(ScrapeConfig config, Relabeler relabeler, Labels discovered, String source) {
    return build(config, relabeler, discovered.toMap(), source);
  }

  /**
   * One target from its discovered labels (the map is not kept). The result's discovered labels are those
   * relabeling starts from, as Prometheus' targets API shows them: the defaults filled in.
   */
  static Result build(ScrapeConfig config, Relabeler relabeler, Map<String, String> found, String source) {
    SortedMap<String, String> l = new TreeMap<>();
    found.forEach((k, v) -> {
      if (!v.isEmpty()) {
        l.put(k, v);
      }
    });
    // an empty label is an absent one, so a discovered empty value gets the default too
    l.putIfAbsent("job", config.jobName());
    l.putIfAbsent(INTERVAL, Durations.format(config.scrapeInterval()));
    l.putIfAbsent(TIMEOUT, Durations.format(config.scrapeTimeout()));
    l.putIfAbsent(METRICS_PATH, config.metricsPath());
    l.putIfAbsent(SCHEME, config.scheme());
    config.params().forEach((name, values) -> {
      if (!values.isEmpty()) {
        l.put(PARAM + name, values.get(0));
      }
    });
    Labels discovered = Labels.ofUnchecked(l);
    if (!relabeler.process(l) || l.isEmpty()) {
      return new Result(null, discovered, null);
    }
    String address = l.get(ADDRESS);
    if (address == null || address.isEmpty()) {
      return new Result(null, discovered, "no address");
    }
    String scheme = l.getOrDefault(SCHEME, "");
    if (!hasPort(address)) {
      switch (scheme) {
        case "http", "" -> address = address + ":80";
        case "https" -> address = address + ":443";
        default -> {
          return new Result(null, discovered, "invalid scheme: \"" + config.scheme() + "\"");
        }
      }
      l.put(ADDRESS, address);
    }
    if (address.contains("/")) {
      return new Result(null, discovered, "\"" + address + "\" is not a valid hostname");
    }
    Duration interval;
    Duration timeout;
    try {
      interval = Durations.parse(l.get(INTERVAL));
    } catch (IllegalArgumentException e) {
      return new Result(null, discovered, "error parsing scrape interval: " + e.getMessage());
    }
    try {
      timeout = Durations.parse(l.get(TIMEOUT));
    } catch (IllegalArgumentException e) {
      return new Result(null, discovered, "error parsing scrape timeout: " + e.getMessage());
    }
    if (interval.isZero()) {
      return new Result(null, discovered, "scrape interval cannot be 0");
    }
    if (timeout.isZero()) {
      return new Result(null, discovered, "scrape timeout cannot be 0");
    }
    if (timeout.compareTo(interval) > 0) {
      return new Result(null, discovered, "scrape timeout cannot be greater than scrape interval (\""
          + l.get(TIMEOUT) + "\" > \"" + l.get(INTERVAL) + "\")");
    }
    l.keySet().removeIf(k -> k.startsWith("__meta_"));
    l.putIfAbsent("instance", address);
    String url = url(scheme.isEmpty() ? "http" : scheme, address, l.getOrDefault(METRICS_PATH, ""),
        config.params(), l);
    Map<String, String> fin = new LinkedHashMap<>();
    l.forEach((k, v) -> {
      if (!k.startsWith("__")) {
        fin.put(k, v);
      }
    });
    Labels labels;
    try {
      labels = Labels.of(fin);
    } catch (IllegalArgumentException e) {
      return new Result(null, discovered, e.getMessage());
    }
    return new Result(new ScrapeTarget(config, labels, discovered, url, interval, timeout), discovered, null);
  }

  /** Whether the address has a port, as Go's net.SplitHostPort sees it. */
  private static boolean hasPort(String address) {
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      return close > 0 && close + 1 < address.length() && address.charAt(close + 1) == ':';
    }
    int colon = address.indexOf(':');
    if (colon < 0) {
      return false;
    }
    // more than one colon without brackets (a bare IPv6 address): Prometheus adds no port either
    return true;
  }

  private static String url(String scheme, String address, String path, Map<String, List<String>> params,
                            Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(scheme).append("://").append(address);
    if (!path.startsWith("/")) {
      sb.append('/');
    }
    sb.append(path);
    // Go's url.Values.Encode, which Prometheus uses, sorts by key
    Map<String, List<String>> query = new TreeMap<>(params);
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
