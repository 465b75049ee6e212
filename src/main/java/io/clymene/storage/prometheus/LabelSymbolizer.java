package io.clymene.storage.prometheus;

import io.clymene.model.Varint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a series' encoded labels (the protobuf {@code Label} messages of a
 * {@link io.clymene.model.SeriesBatch}) into remote-write 2.0 {@code labels_refs}: name and value
 * symbol pairs, without creating a {@code String}.
 *
 * <p>Two shortcuts keep this cheap, both resting on labels repeating far more than not: a label equal
 * to the one at the same place in the previous series (job, instance, the metric name...) reuses its
 * symbols after a plain byte comparison; otherwise the whole label is looked up as one byte range, and
 * only a label new to the request costs two symbol lookups. Reusable per request, not thread-safe.
 */
final class LabelSymbolizer {
  private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);

  private final SymbolTable symbols;
  /** Labels (name and value) seen in this request, with their symbols packed as name << 32 | value. */
  private final ByteRangeTable labels = new ByteRangeTable();
  private long[] labelSymbols = new long[1024];
  /** The previous series' labels: positions in {@link #prevData}, lengths and symbols. */
  private byte[] prevData;
  private int prevCount;
  private int[] prevStart = new int[16];
  private int[] prevLen = new int[16];
  private long[] prevSymbols = new long[16];
  /** The symbol of "__name__" in this request, -1 until used. */
  private int metricNameSymbol = -1;

  /** Output of {@link #symbolize}: the refs, their encoded size, and the metric name. */
  private int[] refs = new int[64];
  private int refCount;
  private int refsSize;
  private int nameSymbol;
  private int nameOffset;
  private int nameLength;

  LabelSymbolizer(SymbolTable symbols) {
    this.symbols = symbols;
  }

  /** Starts a request (the symbol table is reset by its owner). */
  void reset() {
    labels.clear();
    metricNameSymbol = -1;
    prevData = null;
    prevCount = 0;
  }

  /** Ends a request: drops the reference to the caller's label bytes. */
  void done() {
    prevData = null;
    prevCount = 0;
  }

  /** Symbolizes the labels in {@code [start, end)} of {@code d}; read the result with the getters. */
  void symbolize(byte[] d, int start, int end) {
    int n = 0;
    int size = 0;
    nameSymbol = -1;
    int at = start;
    while (at < end) {
      // 0x0A <len> [0x0A <nameLen> name 0x12 <valueLen> value]: the bracketed part is the label's key
      int labelStart = Varint.position(Varint.read(d, at + 1));
      long r = Varint.read(d, labelStart + 1);
      int nLen = Varint.value(r);
      int nOff = Varint.position(r);
      r = Varint.read(d, nOff + nLen + 1);
      int vLen = Varint.value(r);
      int vOff = Varint.position(r);
      at = vOff + vLen;
      int k = n >> 1;
      int len = at - labelStart;
      long pair;
      if (d == prevData && k < prevCount && prevLen[k] == len
          && ByteRangeTable.equal(d, labelStart, d, prevStart[k], len)) {
        pair = prevSymbols[k];
      } else {
        pair = lookup(d, labelStart, len, nOff, nLen, vOff, vLen);
        if (k == prevStart.length) {
          prevStart = Arrays.copyOf(prevStart, k * 2);
          prevLen = Arrays.copyOf(prevLen, k * 2);
          prevSymbols = Arrays.copyOf(prevSymbols, k * 2);
        }
        prevStart[k] = labelStart;
        prevLen[k] = len;
        prevSymbols[k] = pair;
      }
      int nr = (int) (pair >>> 32);
      int vr = (int) pair;
      if (n + 2 > refs.length) {
        refs = Arrays.copyOf(refs, refs.length * 2);
      }
      refs[n++] = nr;
      refs[n++] = vr;
      size += Varint.size(nr) + Varint.size(vr);
      if (nr == metricNameSymbol) {
        nameSymbol = vr;
        nameOffset = vOff;
        nameLength = vLen;
      }
    }
    prevData = d;
    prevCount = n >> 1;
    refCount = n;
    refsSize = size;
  }

  /** The refs of the last series: name, value, name, value... */
  int[] refs() {
    return refs;
  }

  int refCount() {
    return refCount;
  }

  /** The encoded size of the refs as packed varints. */
  int refsSize() {
    return refsSize;
  }

  /** The symbol of the last series' metric name, or -1 when it has none. */
  int nameSymbol() {
    return nameSymbol;
  }

  /** Where the last series' metric name is in the label bytes. */
  int nameOffset() {
    return nameOffset;
  }

  int nameLength() {
    return nameLength;
  }

  /** The symbols of a label not in the previous series, packed as {@code name << 32 | value}. */
  private long lookup(byte[] d, int labelStart, int len, int nOff, int nLen, int vOff, int vLen) {
    int e = labels.indexOrAdd(d, labelStart, len);
    if (e >= 0) {
      return labelSymbols[e];
    }
    e = -1 - e;
    int nr = symbols.ref(d, nOff, nLen);
    int vr = symbols.ref(d, vOff, vLen);
    if (metricNameSymbol < 0 && nLen == METRIC_NAME.length
        && ByteRangeTable.equal(d, nOff, METRIC_NAME, 0, nLen)) {
      metricNameSymbol = nr;
    }
    if (e == labelSymbols.length) {
      labelSymbols = Arrays.copyOf(labelSymbols, e * 2);
    }
    long pair = ((long) nr << 32) | (vr & 0xFFFFFFFFL);
    labelSymbols[e] = pair;
    return pair;
  }
}
