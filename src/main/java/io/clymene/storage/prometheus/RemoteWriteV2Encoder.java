package io.clymene.storage.prometheus;

import io.clymene.model.MetricMetadata;
import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes batches as a Prometheus remote-write 2.0 {@code io.prometheus.write.v2.Request} protobuf, by
 * hand on byte arrays: each series' label names and values are read from the batch's label bytes and
 * replaced by references into the request's symbol table; samples follow, then the series' metadata
 * (type, help, unit) when a lookup knows its metric family. The output is canonical protobuf (fields in
 * number order, zero values omitted), so protobuf-java re-encodes a decoded request to the same bytes.
 *
 * <p>{@link LabelSymbolizer} turns labels into symbols, {@link MetadataRefs} finds each metric name's
 * metadata once per request; this class frames the protobuf. Reusable, not thread-safe.
 */
public final class RemoteWriteV2Encoder {
  /** Request.timeseries = 5; TimeSeries.metadata = 5 (both length-delimited). */
  private static final byte TIMESERIES_TAG = 0x2A;
  private static final byte METADATA_TAG = 0x2A;
  /** TimeSeries.labels_refs = 1 (packed) and TimeSeries.samples = 2. */
  private static final byte LABELS_REFS_TAG = 0x0A;
  private static final byte SAMPLES_TAG = 0x12;
  /** Sample.value = 1 (fixed64), Sample.timestamp = 2 (varint). */
  private static final byte VALUE_TAG = 0x09;
  private static final byte TIMESTAMP_TAG = 0x10;
  /** Metadata.type = 1, help_ref = 3, unit_ref = 4 (varints). */
  private static final byte TYPE_TAG = 0x08;
  private static final byte HELP_TAG = 0x18;
  private static final byte UNIT_TAG = 0x20;

  private final SymbolTable symbols = new SymbolTable();
  private final LabelSymbolizer labels = new LabelSymbolizer(symbols);
  /** Null when no metadata is sent. */
  private final MetadataRefs metadata;
  private byte[] buf = new byte[64 * 1024];

  /** An encoder that sends no metadata. */
  public RemoteWriteV2Encoder() {
    this(null);
  }

  /**
   * @param metadataByFamily metadata by metric family name (null: send none); called on the encoding
   *     thread at most a few times per metric name and request, see {@link MetricMetadata#forSeries}
   */
  public RemoteWriteV2Encoder(Function<String, MetricMetadata> metadataByFamily) {
    this.metadata = metadataByFamily == null ? null : new MetadataRefs(metadataByFamily, symbols);
  }

  /** Encodes the batches; returns a new array holding the uncompressed message. */
  public byte[] encode(List<SeriesBatch> batches) {
    symbols.reset();
    labels.reset();
    if (metadata != null) {
      metadata.reset();
    }
    int pos = 0;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        pos = encodeSeries(b, i, pos);
      }
    }
    labels.done();
    if (metadata != null) {
      metadata.done();
    }
    int symLen = symbols.encodedLength();
    byte[] out = new byte[symLen + pos];
    System.arraycopy(symbols.encoded(), 0, out, 0, symLen);
    System.arraycopy(buf, 0, out, symLen, pos);
    return out;
  }

  private int encodeSeries(SeriesBatch b, int i, int pos) {
    byte[] d = b.labelData();
    labels.symbolize(d, b.labelStart(i), b.labelEnd(i));
    int n = labels.refCount();
    int refsLen = labels.refsSize();
    int meta = metadata == null || labels.nameSymbol() < 0 ? -1
        : metadata.indexOf(labels.nameSymbol(), d, labels.nameOffset(), labels.nameLength());
    int metaLen = 0;
    if (meta >= 0) {
      metaLen = fieldSize(metadata.type(meta)) + fieldSize(metadata.help(meta)) + fieldSize(metadata.unit(meta));
    }

    int sStart = b.sampleStart(i);
    int sEnd = b.sampleEnd(i);
    int seriesLen = n == 0 ? 0 : 1 + Varint.size(refsLen) + refsLen;
    for (int s = sStart; s < sEnd; s++) {
      int sampleLen = sampleSize(b.value(s), b.timestamp(s));
      seriesLen += 1 + Varint.size(sampleLen) + sampleLen;
    }
    if (metaLen > 0) {
      seriesLen += 1 + Varint.size(metaLen) + metaLen;
    }

    pos = ensure(pos, 1 + 5 + seriesLen);
    byte[] o = buf;
    o[pos++] = TIMESERIES_TAG;
    pos = Varint.write(o, pos, seriesLen);
    if (n > 0) {
      o[pos++] = LABELS_REFS_TAG;
      pos = Varint.write(o, pos, refsLen);
      int[] refs = labels.refs();
      for (int k = 0; k < n; k++) {
        pos = Varint.write(o, pos, refs[k]);
      }
    }
    for (int s = sStart; s < sEnd; s++) {
      double v = b.value(s);
      long ts = b.timestamp(s);
      o[pos++] = SAMPLES_TAG;
      pos = Varint.write(o, pos, sampleSize(v, ts));
      long bits = Double.doubleToRawLongBits(v);
      if (bits != 0) {
        o[pos++] = VALUE_TAG;
        pos = putLong(o, pos, bits);
      }
      if (ts != 0) {
        o[pos++] = TIMESTAMP_TAG;
        pos = Varint.write64(o, pos, ts);
      }
    }
    if (metaLen > 0) {
      o[pos++] = METADATA_TAG;
      pos = Varint.write(o, pos, metaLen);
      pos = writeField(o, pos, TYPE_TAG, metadata.type(meta));
      pos = writeField(o, pos, HELP_TAG, metadata.help(meta));
      pos = writeField(o, pos, UNIT_TAG, metadata.unit(meta));
    }
    return pos;
  }

  private static int sampleSize(double v, long ts) {
    return (Double.doubleToRawLongBits(v) != 0 ? 9 : 0) + (ts != 0 ? 1 + varintSize64(ts) : 0);
  }

  /** {@link Varint#size64} without a loop: 7 bits per byte, 10 bytes for negative values. */
  private static int varintSize64(long v) {
    return v < 0 ? 10 : (63 - Long.numberOfLeadingZeros(v | 1)) / 7 + 1;
  }

  /** Size of an optional varint field: nothing when zero, as proto3 encodes defaults. */
  private static int fieldSize(int value) {
    return value == 0 ? 0 : 1 + Varint.size(value);
  }

  private static int writeField(byte[] o, int pos, byte tag, int value) {
    if (value == 0) {
      return pos;
    }
    o[pos++] = tag;
    return Varint.write(o, pos, value);
  }

  private static int putLong(byte[] o, int pos, long bits) {
    for (int k = 0; k < 8; k++) {
      o[pos++] = (byte) (bits >>> (8 * k));
    }
    return pos;
  }

  private int ensure(int pos, int extra) {
    if (pos + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(pos + extra, buf.length * 2));
    }
    return pos;
  }
}
