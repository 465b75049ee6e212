package io.clymene.transport.kafka;

import io.clymene.model.Labels;
import io.clymene.model.LabelNames;
import io.clymene.model.ScratchLabels;
import io.clymene.model.SeriesBatch;

/**
 * Collects decoded JSON series into a batch with the checks our protobuf decoder makes: a non-empty
 * {@code __name__}, no empty or duplicate label names; series without samples are dropped. Labels may come
 * in any order (the builder sorts them); labels with empty values are dropped, as Prometheus does.
 */
final class SeriesBuilder {
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();
  private JsonReader reader;
  private int seriesStart;
  private int samples;

  void reset(JsonReader r) {
    builder.reset();
    reader = r;
  }

  /** Starts a series whose JSON begins at byte {@code start}. */
  void begin(int start) {
    builder.beginSeries();
    seriesStart = start;
    samples = 0;
  }

  void label(JsonReader r, int at, String name, String value) throws RecordDecodeException {
    if (name.isEmpty()) {
      r.failAt(at, "empty label name" + (value.isEmpty() ? "" : " (value " + JsonNumbers.quote(value) + ")"));
    }
    builder.label(name, value);
  }

  void sample(long ts, double v) {
    builder.sample(ts, v);
    samples++;
  }

  /** Number of samples added to the open series. */
  int samples() {
    return samples;
  }

  /** The value of a label of the open series, or null. */
  String labelValue(String name) {
    ScratchLabels l = builder.labels();
    int i = l.indexOf(name);
    return i < 0 ? null : l.value(i);
  }

  /** Ends the open series, dropping it when it has no samples. */
  void end() throws RecordDecodeException {
    if (samples == 0) {
      builder.abortSeries();
      return;
    }
    if (builder.labels().indexOf(Labels.METRIC_NAME) < 0) {
      String labels = describe();
      builder.abortSeries();
      reader.failAt(seriesStart, "missing __name__ in series " + labels);
    }
    String duplicate = builder.endSeries();
    if (duplicate != null) {
      // the builder dropped the series but still holds its labels
      reader.failAt(seriesStart, "duplicate label name \"" + duplicate + "\" in series " + describe());
    }
  }

  SeriesBatch build() {
    return builder.build();
  }

  /** The open series' labels as {@code {a="b", c="d"}}, shortened if long. */
  private String describe() {
    ScratchLabels l = builder.labels();
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < l.size() && sb.length() < 300; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(l.name(i)).append("=\"");
      LabelNames.appendEscaped(sb, l.value(i));
      sb.append('"');
    }
    return sb.append('}').toString();
  }
}
