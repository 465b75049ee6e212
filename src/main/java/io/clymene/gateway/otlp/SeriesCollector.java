package io.clymene.gateway.otlp;

import io.clymene.model.SeriesBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Gathers the samples of a request by label set, as Prometheus' converter does: points of one request
 * that translate to the same labels (two points of one series, a target_info repeated by two resources)
 * become one series with several samples, in the order they came. Series keep the order in which they
 * were first seen. Not thread-safe; reusable after {@link #clear()}.
 */
final class SeriesCollector {
  private final Map<List<String>, Series> index = new HashMap<>();
  private final List<Series> order = new ArrayList<>();
  private int samples;

  /**
   * Adds a sample to the series of these labels (names already valid; empty values are left out, as the
   * batch treats them as absent).
   */
  void add(SortedMap<String, String> labels, long timestampMs, double value) {
    List<String> key = new ArrayList<>(2 * labels.size());
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!e.getValue().isEmpty()) {
        key.add(e.getKey());
        key.add(e.getValue());
      }
    }
    Series s = index.get(key);
    if (s == null) {
      s = new Series(key);
      index.put(key, s);
      order.add(s);
    }
    s.add(timestampMs, value);
    samples++;
  }

  /** Series gathered so far. */
  int seriesCount() {
    return order.size();
  }

  /** Samples gathered so far. */
  int sampleCount() {
    return samples;
  }

  /** Appends every series to the builder, in first-seen order. */
  void appendTo(SeriesBatch.Builder builder) {
    for (Series s : order) {
      builder.beginSeries();
      for (int k = 0; k < s.labels.size(); k += 2) {
        builder.label(s.labels.get(k), s.labels.get(k + 1));
      }
      for (int i = 0; i < s.count; i++) {
        builder.sample(s.timestamps[i], s.values[i]);
      }
      String duplicate = builder.endSeries();
      if (duplicate != null) {
        // unreachable: the labels come from a map
        throw new IllegalStateException("duplicate label " + duplicate);
      }
    }
  }

  void clear() {
    index.clear();
    order.clear();
    samples = 0;
  }

  private static final class Series {
    final List<String> labels;
    long[] timestamps = new long[1];
    double[] values = new double[1];
    int count;

    Series(List<String> labels) {
      this.labels = labels;
    }

    void add(long ts, double v) {
      if (count == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, count * 2);
        values = Arrays.copyOf(values, count * 2);
      }
      timestamps[count] = ts;
      values[count++] = v;
    }
  }
}
