package io.clymene.model;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable batch of time series: the unit that flows from scrapers and receivers to writers.
 *
 * <p>The batch is columnar so that a scrape allocates a handful of arrays, not objects per sample. Each
 * series' labels are kept sorted and already encoded as the protobuf bytes of Prometheus remote-write
 * {@code repeated Label labels = 1} (a run of {@code 0x0A len (0x0A len name 0x12 len value)}), so a
 * remote-write encoder copies them as they are and other encoders walk them with {@link #forEachLabel}.
 * Each series has one or more samples (millisecond timestamp, float value; stale markers are
 * {@link StaleMarkers#STALE_NAN}) and a 64-bit hash of its label bytes, used for sharding and
 * staleness tracking.
 *
 * <p>A batch may also carry {@link #metadata()}: the TYPE, HELP and UNIT of the metric families its
 * source exposed (a scrape attaches its target's about once a minute), for writers that forward it.
 *
 * <p>Instances are safe to share between threads: nothing is mutated after {@link Builder#build()}.
 * {@link #slice(int, int)} and {@link #select(int[])} return views sharing the arrays and the metadata.
 */
public final class SeriesBatch {

  /** The empty batch. */
  public static final SeriesBatch EMPTY = new Builder().build();

  private final byte[] labelData;
  private final int[] labelOffsets;
  private final long[] hashes;
  private final int[] sampleOffsets;
  private final long[] timestamps;
  private final double[] values;
  private final int first;
  private final int count;
  /** For a selection: the series of the underlying arrays, in order; null for a contiguous range. */
  private final int[] index;
  private final int samples;
  private final List<MetricMetadata> metadata;
  private final DeliveryReceipt receipt;

  private SeriesBatch(byte[] labelData, int[] labelOffsets, long[] hashes, int[] sampleOffsets,
                      long[] timestamps, double[] values, int first, int count, List<MetricMetadata> metadata,
                      DeliveryReceipt receipt) {
    this.labelData = labelData;
    this.labelOffsets = labelOffsets;
    this.hashes = hashes;
    this.sampleOffsets = sampleOffsets;
    this.timestamps = timestamps;
    this.values = values;
    this.first = first;
    this.count = count;
    this.index = null;
    this.samples = count == 0 ? 0 : sampleOffsets[first + count] - sampleOffsets[first];
    this.metadata = metadata;
    this.receipt = receipt;
  }

  private SeriesBatch(SeriesBatch base, int[] index, int samples, DeliveryReceipt receipt) {
    this.labelData = base.labelData;
    this.labelOffsets = base.labelOffsets;
    this.hashes = base.hashes;
    this.sampleOffsets = base.sampleOffsets;
    this.timestamps = base.timestamps;
    this.values = base.values;
    this.first = 0;
    this.count = index.length;
    this.index = index;
    this.samples = samples;
    this.metadata = base.metadata;
    this.receipt = receipt;
  }

  /** The position in the underlying arrays of series {@code i}. */
  private int at(int i) {
    return index == null ? first + i : index[i];
  }

  /** Number of series. */
  public int size() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Number of samples over all series. */
  public int sampleCount() {
    return samples;
  }

  /**
   * The metadata of the metric families the source exposed, for writers that send it (remote write);
   * immutable, usually empty. It describes families, not this batch's series, so views share it whole.
   *
   * <p>Only the in-memory path keeps it: the disk queue's record format
   * ({@code io.clymene.storage.spill.SeriesBatchFormat}) writes series and samples only, so a batch
   * replayed from disk comes back without metadata. That loses nothing lasting, as each target's metadata
   * is attached again every minute and writers keep the latest per family.
   */
  public List<MetricMetadata> metadata() {
    return metadata;
  }

  /** The shared label bytes; read only between {@link #labelStart} and {@link #labelEnd}. */
  public byte[] labelData() {
    return labelData;
  }

  /** Start offset in {@link #labelData()} of series {@code i}'s encoded labels. */
  public int labelStart(int i) {
    return labelOffsets[at(i)];
  }

  /** End offset (exclusive) in {@link #labelData()} of series {@code i}'s encoded labels. */
  public int labelEnd(int i) {
    return labelOffsets[at(i) + 1];
  }

  /** The 64-bit hash of series {@code i}'s labels. */
  public long hash(int i) {
    return hashes[at(i)];
  }

  /** Index of the first sample of series {@code i}, for {@link #timestamp} and {@link #value}. */
  public int sampleStart(int i) {
    return sampleOffsets[at(i)];
  }

  /** Index after the last sample of series {@code i}. */
  public int sampleEnd(int i) {
    return sampleOffsets[at(i) + 1];
  }

  public long timestamp(int sample) {
    return timestamps[sample];
  }

  public double value(int sample) {
    return values[sample];
  }

  /** Calls the visitor for each label of series {@code i}, in name order, without allocating. */
  public void forEachLabel(int i, LabelVisitor visitor) {
    int pos = labelStart(i);
    int end = labelEnd(i);
    byte[] d = labelData;
    while (pos < end) {
      // 0x0A <len> 0x0A <nameLen> name 0x12 <valueLen> value
      pos++;
      long r = Varint.read(d, pos);
      pos = Varint.position(r);
      pos++;
      r = Varint.read(d, pos);
      int nameLen = Varint.value(r);
      int nameOff = Varint.position(r);
      pos = nameOff + nameLen + 1;
      r = Varint.read(d, pos);
      int valueLen = Varint.value(r);
      int valueOff = Varint.position(r);
      visitor.label(d, nameOff, nameLen, valueOff, valueLen);
      pos = valueOff + valueLen;
    }
  }

  /** Series {@code i}'s labels as an object (allocates; for slow paths and tests). */
  public Labels labels(int i) {
    Map<String, String> map = new LinkedHashMap<>();
    forEachLabel(i, (buf, no, nl, vo, vl) -> map.put(
        new String(buf, no, nl, StandardCharsets.UTF_8), new String(buf, vo, vl, StandardCharsets.UTF_8)));
    return Labels.of(map);
  }

  /** Series {@code i}'s metric name, or {@code null} (allocates). */
  public String metricName(int i) {
    String[] out = new String[1];
    forEachLabel(i, (buf, no, nl, vo, vl) -> {
      if (Bytes.equalsAscii(buf, no, nl, Labels.METRIC_NAME)) {
        out[0] = new String(buf, vo, vl, StandardCharsets.UTF_8);
      }
    });
    return out[0];
  }

  /** A view of series {@code [from, to)} sharing this batch's arrays. */
  public SeriesBatch slice(int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + count);
    }
    if (index != null) {
      return select(java.util.Arrays.copyOfRange(index, from, to), true);
    }
    return new SeriesBatch(labelData, labelOffsets, hashes, sampleOffsets, timestamps, values,
        first + from, to - from, metadata, receipt);
  }

  /**
   * A view of some series of this batch, in the given order, sharing its arrays (used to split a batch
   * between queue shards).
   *
   * @param series indices of series of this batch
   */
  public SeriesBatch select(int[] series) {
    int[] abs = new int[series.length];
    for (int k = 0; k < series.length; k++) {
      abs[k] = at(series[k]);
    }
    return select(abs, true);
  }

  private SeriesBatch select(int[] absolute, boolean owned) {
    int n = 0;
    for (int p : absolute) {
      n += sampleOffsets[p + 1] - sampleOffsets[p];
    }
    return new SeriesBatch(this, absolute, n, receipt);
  }

  /**
   * Who is told when writers have settled this batch's samples, or null (the usual case: nobody asked).
   * Views made by {@link #slice} and {@link #select} carry it on, so a receipt hears about every sample
   * once per writer however the batch was cut up.
   */
  public DeliveryReceipt receipt() {
    return receipt;
  }

  /** This batch (sharing its arrays) with a receipt that writers report its samples to. */
  public SeriesBatch withReceipt(DeliveryReceipt receipt) {
    return index == null
        ? new SeriesBatch(labelData, labelOffsets, hashes, sampleOffsets, timestamps, values, first, count, metadata,
            receipt)
        : new SeriesBatch(this, index, samples, receipt);
  }

  /** Approximate heap bytes retained by this batch's arrays (the whole arrays, even for a slice). */
  public long retainedBytes() {
    return 16L * 7 + labelData.length + 4L * labelOffsets.length + 8L * hashes.length
        + 4L * sampleOffsets.length + 8L * timestamps.length + 8L * values.length;
  }

  @Override
  public String toString() {
    return "SeriesBatch[series=" + count + ", samples=" + sampleCount()
        + (metadata.isEmpty() ? "" : ", metadata=" + metadata.size()) + "]";
  }

  /** Receives one label as byte ranges of a shared buffer; the bytes are valid only during the call. */
  @FunctionalInterface
  public interface LabelVisitor {
    void label(byte[] buf, int nameOff, int nameLen, int valueOff, int valueLen);
  }

  /**
   * Builds batches series by series without allocating per sample. Not thread-safe; reusable after
   * {@link #build()} or {@link #reset()}.
   *
   * <p>For each series: {@link #beginSeries()}, labels in any order, one or more samples, then
   * {@link #endSeries()} (or {@link #abortSeries()}). Labels with empty values are ignored, as Prometheus
   * treats them as absent. Label names are not validated here: callers pass names they validated.
   */
  public static final class Builder {
    private byte[] data = new byte[1024];
    private int dataLen;
    private int[] labelOffsets = new int[64];
    private long[] hashes = new long[64];
    private int[] sampleOffsets = new int[64];
    private long[] timestamps = new long[64];
    private double[] values = new double[64];
    private int series;
    private int samples;
    private boolean open;
    private boolean preEncoded;
    private long preEncodedHash;
    private List<MetricMetadata> metadata = List.of();

    /** The labels of the series being built; mutable until {@link #endSeries()}. */
    private final ScratchLabels scratch = new ScratchLabels();

    /** Starts a series. */
    public Builder beginSeries() {
      if (open) {
        throw new IllegalStateException("series already open");
      }
      open = true;
      scratch.clear();
      ensureSeries(series + 2);
      sampleOffsets[series] = samples;
      return this;
    }

    /**
     * Starts a series whose labels are already sorted and encoded (from another batch or a cache), with
     * their hash; add samples, then {@link #endSeries()}.
     */
    public Builder beginEncodedSeries(byte[] encoded, int off, int len, long hash) {
      if (open) {
        throw new IllegalStateException("series already open");
      }
      open = true;
      preEncoded = true;
      preEncodedHash = hash;
      ensureSeries(series + 2);
      sampleOffsets[series] = samples;
      ensureData(dataLen + len);
      labelOffsets[series] = dataLen;
      System.arraycopy(encoded, off, data, dataLen, len);
      dataLen += len;
      return this;
    }

    /** The current series' labels, for lookups and edits before {@link #endSeries()}. */
    public ScratchLabels labels() {
      return scratch;
    }

    /** Adds a label from byte ranges (name and value as UTF-8). */
    public Builder label(byte[] name, int nameOff, int nameLen, byte[] value, int valueOff, int valueLen) {
      scratch.add(name, nameOff, nameLen, value, valueOff, valueLen);
      return this;
    }

    /** Adds a label from strings. */
    public Builder label(String name, String value) {
      scratch.add(name, value);
      return this;
    }

    /** Adds every label of a label set. */
    public Builder labels(Labels labels) {
      for (int i = 0; i < labels.size(); i++) {
        scratch.add(labels.name(i), labels.value(i));
      }
      return this;
    }

    /** Adds a sample to the current series. */
    public Builder sample(long timestampMs, double value) {
      if (!open) {
        throw new IllegalStateException("no open series");
      }
      if (samples == timestamps.length) {
        int n = samples * 2;
        timestamps = java.util.Arrays.copyOf(timestamps, n);
        values = java.util.Arrays.copyOf(values, n);
      }
      timestamps[samples] = timestampMs;
      values[samples] = value;
      samples++;
      return this;
    }

    /**
     * Ends the current series: sorts and encodes its labels.
     *
     * @return {@code null} on success, else the name of a duplicated label (the series is then dropped)
     */
    public String endSeries() {
      if (!open) {
        throw new IllegalStateException("no open series");
      }
      open = false;
      if (preEncoded) {
        preEncoded = false;
        labelOffsets[series + 1] = dataLen;
        hashes[series] = preEncodedHash;
        series++;
        sampleOffsets[series] = samples;
        return null;
      }
      String duplicate = scratch.sort();
      if (duplicate != null) {
        samples = sampleOffsets[series];
        return duplicate;
      }
      int start = dataLen;
      ensureData(dataLen + scratch.encodedSize());
      dataLen = scratch.encodeTo(data, dataLen);
      labelOffsets[series] = start;
      labelOffsets[series + 1] = dataLen;
      hashes[series] = Hashing.hash64(data, start, dataLen - start);
      series++;
      sampleOffsets[series] = samples;
      return null;
    }

    /** Drops the current series and its samples. */
    public void abortSeries() {
      if (open) {
        open = false;
        samples = sampleOffsets[series];
        if (preEncoded) {
          preEncoded = false;
          dataLen = labelOffsets[series];
        }
      }
    }

    /**
     * Sets the metric metadata the next {@link #build()} attaches (copied; cleared by build and reset).
     */
    public Builder metadata(List<MetricMetadata> metadata) {
      this.metadata = List.copyOf(metadata);
      return this;
    }

    /** The buffer holding the encoded labels of completed series (valid until the next change). */
    public byte[] labelData() {
      return data;
    }

    /** Start of completed series {@code i}'s encoded labels in {@link #labelData()}. */
    public int labelStart(int i) {
      return labelOffsets[i];
    }

    /** End of completed series {@code i}'s encoded labels in {@link #labelData()}. */
    public int labelEnd(int i) {
      return labelOffsets[i + 1];
    }

    /** The hash of completed series {@code i}'s labels. */
    public long hash(int i) {
      return hashes[i];
    }

    /** Series completed so far. */
    public int seriesCount() {
      return series;
    }

    /** Samples completed so far. */
    public int sampleCount() {
      return open ? sampleOffsets[series] : samples;
    }

    /** Copies the completed series into a new immutable batch and resets this builder. */
    public SeriesBatch build() {
      abortSeries();
      SeriesBatch batch = new SeriesBatch(
          java.util.Arrays.copyOf(data, dataLen),
          java.util.Arrays.copyOf(labelOffsets, series + 1),
          java.util.Arrays.copyOf(hashes, series),
          java.util.Arrays.copyOf(sampleOffsets, series + 1),
          java.util.Arrays.copyOf(timestamps, samples),
          java.util.Arrays.copyOf(values, samples),
          0, series, metadata, null);
      reset();
      return batch;
    }

    /** Forgets everything built so far, keeping the buffers. */
    public void reset() {
      open = false;
      preEncoded = false;
      metadata = List.of();
      series = 0;
      samples = 0;
      dataLen = 0;
      labelOffsets[0] = 0;
      sampleOffsets[0] = 0;
    }

    private void ensureSeries(int n) {
      if (n >= labelOffsets.length) {
        int size = Math.max(n + 1, labelOffsets.length * 2);
        labelOffsets = java.util.Arrays.copyOf(labelOffsets, size);
        sampleOffsets = java.util.Arrays.copyOf(sampleOffsets, size);
        hashes = java.util.Arrays.copyOf(hashes, size);
      }
    }

    private void ensureData(int n) {
      if (n > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(n, data.length * 2));
      }
    }
  }
}
