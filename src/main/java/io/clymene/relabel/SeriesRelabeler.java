package io.clymene.relabel;

import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Relabels the series of batches (remote write's {@code write_relabel_configs}), remembering each
 * series' outcome by its label hash so that a series seen before costs a map lookup, not a regex run.
 * The memory is bounded: past {@code maxEntries} series the cache starts over. Not thread-safe.
 */
public final class SeriesRelabeler {
  /** Marks a dropped series in the cache. */
  private static final byte[] DROPPED = new byte[0];

  private final Relabeler relabeler;
  private final int maxEntries;
  private final Map<Long, byte[]> cache = new HashMap<>();
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();

  public SeriesRelabeler(Relabeler relabeler, int maxEntries) {
    this.relabeler = relabeler;
    this.maxEntries = maxEntries;
  }

  /** Relabels every series of a batch; returns the same batch when no rule applies to any. */
  public SeriesBatch apply(SeriesBatch batch) {
    if (relabeler.isEmpty() || batch.isEmpty()) {
      return batch;
    }
    builder.reset();
    boolean changed = false;
    for (int i = 0; i < batch.size(); i++) {
      byte[] result = outcome(batch, i);
      if (result == DROPPED) {
        changed = true;
        continue;
      }
      boolean same = result == null;
      changed |= !same;
      if (same) {
        builder.beginEncodedSeries(batch.labelData(), batch.labelStart(i), batch.labelEnd(i) - batch.labelStart(i),
            batch.hash(i));
      } else {
        builder.beginEncodedSeries(result, 0, result.length,
            io.clymene.model.Hashing.hash64(result, 0, result.length));
      }
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        builder.sample(batch.timestamp(s), batch.value(s));
      }
      builder.endSeries();
    }
    if (!changed) {
      builder.reset();
      return batch;
    }
    return builder.build();
  }

  /** null: unchanged; DROPPED: dropped; else the new encoded labels. */
  private byte[] outcome(SeriesBatch batch, int i) {
    Long key = batch.hash(i);
    byte[] cached = cache.get(key);
    if (cached != null || cache.containsKey(key)) {
      return cached;
    }
    SortedMap<String, String> labels = new TreeMap<>();
    batch.forEachLabel(i, (buf, no, nl, vo, vl) -> labels.put(new String(buf, no, nl, StandardCharsets.UTF_8),
        new String(buf, vo, vl, StandardCharsets.UTF_8)));
    Map<String, String> before = new TreeMap<>(labels);
    byte[] result;
    if (!relabeler.process(labels) || labels.isEmpty()) {
      result = DROPPED;
    } else if (labels.equals(before)) {
      result = null;
    } else {
      SeriesBatch.Builder one = new SeriesBatch.Builder();
      one.beginSeries();
      labels.forEach(one::label);
      one.sample(0, 0);
      one.endSeries();
      SeriesBatch b = one.build();
      result = java.util.Arrays.copyOfRange(b.labelData(), b.labelStart(0), b.labelEnd(0));
    }
    if (cache.size() >= maxEntries) {
      cache.clear();
    }
    cache.put(key, result);
    return result;
  }
}
