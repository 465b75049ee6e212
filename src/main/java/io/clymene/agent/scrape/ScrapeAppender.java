package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.parse.MetadataKind;
import io.clymene.agent.parse.ParsedLabels;
import io.clymene.agent.parse.SampleSink;
import io.clymene.model.Hashing;
import io.clymene.model.LabelNames;
import io.clymene.model.Labels;
import io.clymene.model.MetricMetadata;
import io.clymene.model.ScratchLabels;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.relabel.Relabeler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns one target's parsed samples into the series of a batch, with Prometheus' scrape semantics.
 *
 * <p>A series seen before is found in the {@link SeriesCache} by the hash of its text, and its final
 * labels are copied as they are: no parsing of labels, no sorting, no relabeling, no allocation. A new
 * series gets the treatment Prometheus gives it: the target's labels are merged (scraped labels that
 * clash become {@code exported_<name>} unless honor_labels is set), metric_relabel_configs run, the
 * result is checked (metric name present, valid names, label limits, unique names) and the external
 * labels are added where absent; then it is cached, dropped series included.
 *
 * <p>Staleness follows Prometheus: series appended without their own timestamp are tracked, and a
 * tracked series missing from the next append (a scrape, or the empty append after a failed scrape) gets
 * a stale marker. Samples with their own timestamp older than the series' newest are dropped as out of
 * order, as Prometheus' agent does.
 *
 * <p>Metadata: on the first successful scrape and then on the first one at least
 * {@link #METADATA_INTERVAL_MILLIS} after the last collection, the appender asks the parser for the
 * body's HELP, TYPE and UNIT lines and attaches them to the batch as {@link MetricMetadata}, keyed by the
 * family name as exposed (metric_relabel_configs do not rename it, as in Prometheus). Other scrapes skip
 * those lines at no cost. One instance per target; not thread-safe.
 */
final class ScrapeAppender implements SampleSink {
  private static final String EXPORTED = "exported_";
  private static final byte[] NAME_BYTES = Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);
  /**
   * Samples with their own timestamp from before this process started are not forwarded: Prometheus'
   * agent drops them too (its WAL watcher only sends what is newer than the queue's start).
   */
  private static final long OLDEST_FORWARDED = System.currentTimeMillis();

  private final SeriesBatch.Builder builder;
  private final SeriesBatch.Builder encoder;
  private final SeriesCache cache = new SeriesCache();
  private final ScrapeTarget target;
  private final Labels external;
  private final Relabeler metricRelabeler;
  private final boolean honorLabels;
  private final boolean honorTimestamps;
  private final boolean trackTimestampsStaleness;
  private final ScrapeConfig.Limits limits;

  /**
   * How often a target's metadata goes with its batch: Prometheus' default metadata_config.send_interval,
   * so each remote-write metadata send finds every target's metadata fresh.
   */
  static final long METADATA_INTERVAL_MILLIS = 60_000;
  /** The scrape time from which metadata is collected again; MIN_VALUE until the first collection. */
  private long nextMetadataMillis = Long.MIN_VALUE;
  /** Whether this append collects metadata. */
  private boolean collectingMetadata;
  /** This append's metadata by family name, in first-seen order (filled only when collecting). */
  private final Map<String, MetadataEntry> metadata = new LinkedHashMap<>();

  /** Staleness generation: series tracked in it are "current", in the one before "previous". */
  private int generation = 1;
  /** Cache iteration: advances after each successful scrape; entries not seen in it are forgotten. */
  private int iteration = 1;
  private long defaultTime;
  private int total;
  private int added;
  private int seriesAdded;
  private long limitCount;
  private boolean sampleLimitExceeded;
  private int outOfOrder;
  private int outOfBounds;
  private long maxTime;
  private final List<String> reportNames = List.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
      "scrape_samples_post_metric_relabeling", "scrape_series_added");

  /**
   * @param builder the batch being built
   * @param encoder scratch space for one series' labels (shared by the loops of one context)
   * @param target the target
   * @param external the external labels
   */
  ScrapeAppender(SeriesBatch.Builder builder, SeriesBatch.Builder encoder, ScrapeTarget target, Labels external) {
    this.builder = builder;
    this.encoder = encoder;
    this.target = target;
    this.external = external;
    ScrapeConfig c = target.config();
    this.metricRelabeler = c.metricRelabelConfigs().isEmpty() ? null : new Relabeler(c.metricRelabelConfigs());
    this.honorLabels = c.honorLabels();
    this.honorTimestamps = c.honorTimestamps();
    this.trackTimestampsStaleness = c.trackTimestampsStaleness();
    this.limits = c.limits();
  }

  /** Starts an append (a scrape's body, or the empty append after a failure) at this default time. */
  void begin(long timeMillis) {
    defaultTime = timeMillis;
    total = 0;
    added = 0;
    seriesAdded = 0;
    limitCount = 0;
    sampleLimitExceeded = false;
    outOfOrder = 0;
    outOfBounds = 0;
    // the clock going back more than an interval also restarts the cycle
    collectingMetadata = timeMillis >= nextMetadataMillis || timeMillis < nextMetadataMillis - METADATA_INTERVAL_MILLIS;
    metadata.clear();
    // Prometheus refuses samples more than 10 minutes in the future
    maxTime = System.currentTimeMillis() + 10 * 60_000;
  }

  /** Samples in the body (scrape_samples_scraped). */
  int total() {
    return total;
  }

  /** Samples left after metric relabeling (scrape_samples_post_metric_relabeling). */
  int added() {
    return added;
  }

  /** Series this scrape added (scrape_series_added). */
  int seriesAdded() {
    return seriesAdded;
  }

  /** Samples dropped because their timestamp was older than their series' newest. */
  int outOfOrder() {
    return outOfOrder;
  }

  /** Samples dropped because their timestamp was more than 10 minutes in the future. */
  int outOfBounds() {
    return outOfBounds;
  }

  /** Series the cache holds. */
  int cachedSeries() {
    return cache.size();
  }

  long cacheBytes() {
    return cache.memoryBytes();
  }

  /** The key of the series text last offered to {@link #known}. */
  private long lastKey;

  @Override
  public boolean wantsMetadata() {
    return collectingMetadata;
  }

  @Override
  public void metadata(MetadataKind kind, byte[] buf, int nameOff, int nameLen, byte[] textBuf, int textOff,
                       int textLen) {
    // at most once a minute per target: allocating here is fine
    String family = new String(buf, nameOff, nameLen, StandardCharsets.UTF_8);
    MetadataEntry e = metadata.computeIfAbsent(family, f -> new MetadataEntry());
    switch (kind) {
      case TYPE -> e.type = MetadataKind.metricType(textBuf, textOff, textLen);
      case HELP -> e.help = new String(textBuf, textOff, textLen, StandardCharsets.UTF_8);
      case UNIT -> e.unit = new String(textBuf, textOff, textLen, StandardCharsets.UTF_8);
      default -> throw new IllegalArgumentException(kind.toString());
    }
  }

  @Override
  public boolean remembersSeries() {
    return true;
  }

  @Override
  public int known(byte[] buf, int seriesOff, int seriesEnd) {
    lastKey = Hashing.hash64(buf, seriesOff, seriesEnd - seriesOff);
    return cache.lookup(lastKey);
  }

  @Override
  public String knownSample(int id, double value, long timestamp) {
    total++;
    cache.seen(id, iteration);
    if (cache.dropped(id)) {
      return null;
    }
    append(id, false, value, timestamp);
    return null;
  }

  @Override
  public String sample(byte[] buf, int nameOff, int nameLen, ParsedLabels labels, double value, long timestamp) {
    total++;
    long key = lastKey;
    encoder.reset();
    String problem = metricRelabeler == null ? encodeDirect(buf, nameOff, nameLen, labels) : null;
    if (problem == FALLBACK || metricRelabeler != null) {
      encoder.reset();
      SortedMap<String, String> finalLabels = new TreeMap<>();
      problem = finalLabels(buf, nameOff, nameLen, labels, finalLabels);
      if (problem != null) {
        return problem;
      }
      if (finalLabels.isEmpty()) {
        cache.addDropped(key, iteration);
        return null;
      }
      encoder.beginSeries();
      finalLabels.forEach(encoder::label);
      encoder.sample(0, 0);
      encoder.endSeries();
    } else if (problem != null) {
      return problem;
    }
    int id = cache.add(key, encoder.labelData(), encoder.labelStart(0), encoder.labelEnd(0) - encoder.labelStart(0),
        encoder.hash(0), iteration);
    append(id, true, value, timestamp);
    return null;
  }

  /** Marks a series that needs the general (map-based) treatment. */
  private static final String FALLBACK = new String("fallback");

  /**
   * The common case of a new series, on bytes: no metric relabeling and no clash between scraped and
   * target labels. Returns null when the series is encoded in {@link #encoder}, {@link #FALLBACK} when
   * the general path must decide, or why the scrape fails.
   */
  private String encodeDirect(byte[] buf, int nameOff, int nameLen, ParsedLabels parsed) {
    encoder.beginSeries();
    ScratchLabels l = encoder.labels();
    l.add(NAME_BYTES, 0, NAME_BYTES.length, buf, nameOff, nameLen);
    for (int i = 0; i < parsed.size(); i++) {
      l.add(parsed.nameBuffer(), parsed.nameOffset(i), parsed.nameLength(i), parsed.valueBuffer(i),
          parsed.valueOffset(i), parsed.valueLength(i));
    }
    int exposed = l.size();
    for (int t = 0; t < target.labelCount(); t++) {
      byte[] name = target.labelName(t);
      int idx = l.indexOf(name, 0, name.length);
      if (idx >= 0) {
        if (!honorLabels) {
          return FALLBACK; // exported_ renaming: rare, done by the general path
        }
        continue;
      }
      l.add(target.labels().name(t), target.labelValue(t));
    }
    if (honorLabels && exposed != parsed.size() + 1) {
      return FALLBACK; // empty scraped values hide target labels under honor_labels: the general path knows
    }
    String limit = checkLimits(l, new String(buf, nameOff, nameLen, StandardCharsets.US_ASCII));
    if (limit != null) {
      encoder.abortSeries();
      return limit;
    }
    for (int e = 0; e < external.size(); e++) {
      if (l.indexOf(external.name(e)) < 0) {
        l.add(external.name(e), external.value(e));
      }
    }
    encoder.sample(0, 0);
    String duplicate = encoder.endSeries();
    if (duplicate != null) {
      return "label name \"" + duplicate + "\" is not unique: invalid sample";
    }
    return null;
  }

  private String checkLimits(ScratchLabels l, String metric) {
    if (limits.labelLimit() == 0 && limits.labelNameLengthLimit() == 0 && limits.labelValueLengthLimit() == 0) {
      return null;
    }
    SortedMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < l.size(); i++) {
      map.putIfAbsent(l.name(i), l.value(i));
    }
    return checkLimits(map, metric);
  }

  /** Appends a sample of a cached series, with Prometheus' limit, ordering and staleness rules. */
  private void append(int id, boolean isNew, double value, long timestamp) {
    boolean explicit = honorTimestamps && timestamp != NO_TIMESTAMP;
    long t = explicit ? timestamp : defaultTime;
    added++;
    boolean appended = false;
    if (limits.sampleLimit() > 0 && ++limitCount > limits.sampleLimit()) {
      sampleLimitExceeded = true;
    } else if (explicit && t < cache.lastTimestamp(id)) {
      outOfOrder++;
    } else if (t > maxTime) {
      outOfBounds++;
    } else {
      if (!explicit || t > OLDEST_FORWARDED) {
        builder.beginEncodedSeries(cache.arena(), cache.labelOffset(id), cache.labelLength(id), cache.hash(id))
            .sample(t, value).endSeries();
      }
      if (t > cache.lastTimestamp(id)) {
        cache.lastTimestamp(id, t);
      }
      appended = true;
    }
    if ((appended || isNew) && (!explicit || trackTimestampsStaleness)) {
      cache.track(id, generation);
    }
    if (isNew && appended) {
      seriesAdded++;
    }
  }

  /**
   * Ends a successful append: fails it when the sample limit was exceeded; otherwise gives stale markers
   * to the series tracked in the previous append but not in this one, and forgets the series this scrape
   * lacked (Prometheus' scrape cache does the same).
   *
   * @return null, or why the scrape fails (then call {@link #failed})
   */
  String finish() {
    if (sampleLimitExceeded) {
      return "sample limit exceeded";
    }
    cache.forEach(id -> {
      if (cache.tracked(id) == generation) {
        cache.committed(id);
      } else if (!cache.dropped(id) && cache.tracked(id) == generation - 1 && cache.isCommitted(id)) {
        stale(id, defaultTime);
      }
      if (cache.lastSeen(id) != iteration) {
        cache.remove(id);
      }
    });
    generation++;
    iteration++;
    if (collectingMetadata) {
      attachMetadata();
    }
    return null;
  }

  /**
   * Attaches the collected metadata to the batch being built; the next collection is due an interval
   * later. A failed scrape attaches none and leaves it due, so the next successful one collects.
   */
  private void attachMetadata() {
    List<MetricMetadata> list = new ArrayList<>(metadata.size());
    metadata.forEach((family, e) -> list.add(new MetricMetadata(family, e.type, e.help, e.unit)));
    builder.metadata(list);
    metadata.clear();
    collectingMetadata = false;
    nextMetadataMillis = defaultTime + METADATA_INTERVAL_MILLIS;
  }

  /** One family's metadata while it is collected; a family has UNKNOWN type until a TYPE line says more. */
  private static final class MetadataEntry {
    MetricMetadata.Type type = MetricMetadata.Type.UNKNOWN;
    String help = "";
    String unit = "";
  }

  /**
   * The empty append Prometheus makes after a failed scrape: series tracked in the previous append and
   * not in the failed one get stale markers. The report keeps the failed append's counts.
   */
  void failed(long timeMillis) {
    defaultTime = timeMillis;
    metadata.clear(); // the failed body's metadata is not attached; the next successful scrape collects
    cache.forEach(id -> {
      // only series that reached the output get markers: a series first seen in a failed scrape never
      // did (Prometheus 2.42's agent drops those too, as their series record was rolled back)
      if (!cache.dropped(id) && cache.tracked(id) == generation - 1 && cache.isCommitted(id)) {
        stale(id, timeMillis);
      }
    });
    generation++;
  }

  /** Stale markers for every series and the report series, when the target goes away. */
  void endOfRun(long timeMillis) {
    begin(timeMillis);
    failed(timeMillis);
    for (String name : reportNames) {
      synthetic(name, StaleMarkers.STALE_NAN, timeMillis);
    }
  }

  private void stale(int id, long ts) {
    builder.beginEncodedSeries(cache.arena(), cache.labelOffset(id), cache.labelLength(id), cache.hash(id))
        .sample(ts, StaleMarkers.STALE_NAN).endSeries();
  }

  /** Adds a report series such as {@code up} with the target's labels at the append's time. */
  void synthetic(String name, double value) {
    synthetic(name, value, defaultTime);
  }

  private void synthetic(String name, double value, long ts) {
    builder.beginSeries();
    builder.label(Labels.METRIC_NAME, name);
    for (int i = 0; i < target.labelCount(); i++) {
      builder.label(target.labels().name(i), target.labelValue(i));
    }
    for (int e = 0; e < external.size(); e++) {
      if (target.labels().get(external.name(e)) == null && !external.name(e).equals(Labels.METRIC_NAME)) {
        builder.label(external.name(e), external.value(e));
      }
    }
    builder.sample(ts, value);
    builder.endSeries();
  }

  /**
   * The final labels of a new series (Prometheus' mutateSampleLabels, metric relabeling and checks);
   * leaves {@code out} empty when the series is dropped.
   *
   * @return null, or why the scrape fails
   */
  private String finalLabels(byte[] buf, int nameOff, int nameLen, ParsedLabels parsed,
                             SortedMap<String, String> out) {
    Map<String, String> exposed = new TreeMap<>();
    exposed.put(Labels.METRIC_NAME, new String(buf, nameOff, nameLen, StandardCharsets.US_ASCII));
    String duplicate = null;
    for (int i = 0; i < parsed.size(); i++) {
      String n = parsed.name(i);
      if (exposed.putIfAbsent(n, parsed.value(i)) != null && duplicate == null) {
        duplicate = n;
      }
    }
    exposed.values().removeIf(String::isEmpty);
    Labels targetLabels = target.labels();
    out.putAll(exposed);
    if (honorLabels) {
      for (int i = 0; i < targetLabels.size(); i++) {
        out.putIfAbsent(targetLabels.name(i), targetLabels.value(i));
      }
    } else {
      List<String[]> conflicts = new ArrayList<>();
      for (int i = 0; i < targetLabels.size(); i++) {
        String existing = exposed.get(targetLabels.name(i));
        if (existing != null) {
          conflicts.add(new String[]{targetLabels.name(i), existing});
        }
        out.put(targetLabels.name(i), targetLabels.value(i));
      }
      if (!conflicts.isEmpty()) {
        conflicts.sort(Comparator.comparingInt(c -> c[0].length()));
        List<String> taken = new ArrayList<>();
        for (String[] c : conflicts) {
          String newName = c[0];
          do {
            newName = EXPORTED + newName;
          } while (exposed.containsKey(newName) || targetLabels.get(newName) != null || taken.contains(newName));
          taken.add(newName);
          out.put(newName, c[1]);
        }
      }
    }
    if (metricRelabeler != null && !metricRelabeler.process(out)) {
      out.clear();
      return null;
    }
    if (out.isEmpty()) {
      return null;
    }
    String metric = out.get(Labels.METRIC_NAME);
    if (metric == null) {
      return "missing metric name (__name__ label)";
    }
    if (!LabelNames.isValidMetricName(metric) || !out.keySet().stream().allMatch(LabelNames::isValidLabelName)) {
      return "invalid metric name or label names: " + Labels.of(out);
    }
    String limitProblem = checkLimits(out, metric);
    if (limitProblem != null) {
      return limitProblem;
    }
    if (duplicate != null) {
      return "label name \"" + duplicate + "\" is not unique: invalid sample";
    }
    for (int e = 0; e < external.size(); e++) {
      out.putIfAbsent(external.name(e), external.value(e));
    }
    return null;
  }

  private String checkLimits(SortedMap<String, String> labels, String metric) {
    String m = cut(metric);
    if (limits.labelLimit() > 0 && labels.size() > limits.labelLimit()) {
      return "label_limit exceeded (metric: " + m + ", number of labels: " + labels.size() + ", limit: "
          + limits.labelLimit() + ")";
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      int nameLength = e.getKey().getBytes(StandardCharsets.UTF_8).length;
      if (limits.labelNameLengthLimit() > 0 && nameLength > limits.labelNameLengthLimit()) {
        return "label_name_length_limit exceeded (metric: " + m + ", label name: " + cut(e.getKey()) + ", length: "
            + nameLength + ", limit: " + limits.labelNameLengthLimit() + ")";
      }
      int valueLength = e.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (limits.labelValueLengthLimit() > 0 && valueLength > limits.labelValueLengthLimit()) {
        return "label_value_length_limit exceeded (metric: " + m + ", label name: " + cut(e.getKey()) + ", value: \""
            + cut(e.getValue()) + "\", length: " + valueLength + ", limit: " + limits.labelValueLengthLimit() + ")";
      }
    }
    return null;
  }

  private static String cut(String s) {
    return s.length() > 50 ? s.substring(0, 50) : s;
  }
}
