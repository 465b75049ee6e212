package io.clymene.agent.scrape;

import io.clymene.agent.parse.ParsedLabels;
import io.clymene.agent.parse.SampleSink;
import io.clymene.model.Labels;
import io.clymene.model.ScratchLabels;
import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;

/**
 * Turns parsed samples of one target into series of a batch: the metric name, the scraped labels, the
 * target's labels (with Prometheus' honor_labels rules: scraped labels that clash are renamed
 * {@code exported_<name>} unless honor_labels is set), the external labels where absent, and the
 * scrape timestamp unless the sample has its own and honor_timestamps is set. Reused per target.
 */
final class ScrapeAppender implements SampleSink {
  private static final byte[] NAME = Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);
  private static final String EXPORTED = "exported_";

  private final SeriesBatch.Builder builder;
  private final ScrapeTarget target;
  private final Labels external;
  private final boolean honorLabels;
  private final boolean honorTimestamps;
  private final long sampleLimit;
  private long scrapeTime;
  private int samples;

  ScrapeAppender(SeriesBatch.Builder builder, ScrapeTarget target, Labels external) {
    this.builder = builder;
    this.target = target;
    this.external = external;
    this.honorLabels = target.config().honorLabels();
    this.honorTimestamps = target.config().honorTimestamps();
    this.sampleLimit = target.config().sampleLimit();
  }

  /** Starts a scrape whose samples default to {@code timeMillis}. */
  void begin(long timeMillis) {
    this.scrapeTime = timeMillis;
    this.samples = 0;
  }

  /** Samples appended since {@link #begin}. */
  int samples() {
    return samples;
  }

  @Override
  public String sample(byte[] buf, int nameOff, int nameLen, ParsedLabels labels, double value, long timestamp) {
    builder.beginSeries();
    builder.label(NAME, 0, NAME.length, buf, nameOff, nameLen);
    for (int i = 0; i < labels.size(); i++) {
      builder.label(labels.nameBuffer(), labels.nameOffset(i), labels.nameLength(i),
          labels.valueBuffer(i), labels.valueOffset(i), labels.valueLength(i));
    }
    addTargetLabels(builder.labels());
    addExternalLabels(builder.labels());
    long ts = honorTimestamps && timestamp != NO_TIMESTAMP ? timestamp : scrapeTime;
    builder.sample(ts, value);
    String duplicate = builder.endSeries();
    if (duplicate != null) {
      return "label name '" + duplicate + "' appears more than once";
    }
    samples++;
    if (sampleLimit > 0 && samples > sampleLimit) {
      return "sample_limit exceeded (" + sampleLimit + ")";
    }
    return null;
  }

  /** Adds a synthetic series such as {@code up} with the target's labels. */
  void synthetic(String name, double value) {
    builder.beginSeries();
    builder.label(Labels.METRIC_NAME, name);
    addTargetLabels(builder.labels());
    addExternalLabels(builder.labels());
    builder.sample(scrapeTime, value);
    builder.endSeries();
  }

  private void addTargetLabels(ScratchLabels l) {
    for (int t = 0; t < target.labelCount(); t++) {
      byte[] name = target.labelName(t);
      int idx = l.indexOf(name, 0, name.length);
      if (idx >= 0) {
        if (honorLabels) {
          continue;
        }
        // the target's label wins; the scraped one is kept as exported_<name> (again if that is taken)
        do {
          l.prefixName(idx, EXPORTED);
        } while (hasOther(l, idx));
      }
      l.add(target.labels().name(t), target.labelValue(t));
    }
  }

  private static boolean hasOther(ScratchLabels l, int idx) {
    for (int i = 0; i < l.size(); i++) {
      if (i != idx && l.nameLength(i) == l.nameLength(idx) && io.clymene.model.Bytes.equals(l.buffer(),
          l.nameOffset(i), l.buffer(), l.nameOffset(idx), l.nameLength(idx))) {
        return true;
      }
    }
    return false;
  }

  private void addExternalLabels(ScratchLabels l) {
    for (int e = 0; e < external.size(); e++) {
      if (l.indexOf(external.name(e)) < 0) {
        l.add(external.name(e), external.value(e));
      }
    }
  }
}
