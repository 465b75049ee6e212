package io.clymene.gateway.decode;

import io.clymene.gateway.decode.DecodedWrite.Version;
import io.clymene.model.Hashing;
import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.xerial.snappy.Snappy;

/**
 * Decodes Prometheus remote-write request bodies (1.0 {@code prometheus.WriteRequest} and 2.0
 * {@code io.prometheus.write.v2.Request}) into a {@link SeriesBatch}: the inverse of
 * {@code RemoteWriteEncoder} and {@code RemoteWriteV2Encoder}.
 *
 * <p>The message is chosen by the Content-Type as the remote-write specification says: media type
 * {@code application/x-protobuf}, with no {@code proto} parameter or {@code proto=prometheus.WriteRequest}
 * for 1.0 and {@code proto=io.prometheus.write.v2.Request} for 2.0; anything else is a 415. A missing
 * Content-Type means 1.0 and a missing Content-Encoding means snappy, as Prometheus' own receiver assumes
 * for old senders; any encoding but {@code snappy} is a 415. The body is snappy block format; its declared
 * decoded size is checked against the limit (413) before anything is allocated.
 *
 * <p>The protobuf is read by hand on the decoded bytes, with no protobuf-java objects. Float samples are
 * decoded; native histograms, exemplars and metadata are skipped and counted; series without float samples
 * are dropped and counted. Every series is validated: label names non-empty, strictly increasing in byte
 * order (so no duplicates), a non-empty {@code __name__}, names and values valid UTF-8, and in 2.0 every
 * label reference inside the symbol table (whose first symbol must be the empty string). Errors are
 * {@link DecodeException}s whose message names the series (its index in the request, counting from 0, and
 * its labels when they could be read) and the byte offset in the decoded message, e.g.
 * {@code series 3 ({__name__="a", job="b", z="c"}): labels not sorted: "job" after "z"}.
 *
 * <p>Reusable and allocation-light (buffers grow and are kept), not thread-safe: use one per thread.
 */
public final class RemoteWriteDecoder {
  /** The media type both messages use. */
  public static final String MEDIA_TYPE = "application/x-protobuf";
  /** The only Content-Encoding accepted. */
  public static final String SNAPPY = "snappy";

  private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
  /** Longest label rendering put into an error message. */
  private static final int MAX_DESCRIBED = 300;

  private final int maxDecodedBytes;
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();
  private final WireReader top = new WireReader();
  private final WireReader series = new WireReader();
  private final WireReader inner = new WireReader();
  private byte[] decoded = new byte[0];

  /** Per label of the current series: name offset, name length, value offset, value length. */
  private int[] labels = new int[4 * 32];
  private int labelCount;
  /** 1.0: whether the current series' labels are encoded as the batch stores them, and where they are. */
  private boolean labelsAsIs;
  private int labelsStart;
  private int labelsEnd;
  /** 2.0: the current series' label refs and their byte positions. */
  private long[] refs = new long[64];
  private int[] refPos = new int[64];
  private int refCount;
  /** 2.0: the symbol table, as offsets and lengths into the message. */
  private int[] symOff = new int[256];
  private int[] symLen = new int[256];
  private int symCount;
  /** 2.0: the timeseries fields, as offsets and lengths into the message. */
  private int[] tsOff = new int[256];
  private int[] tsLen = new int[256];
  private int tsCount;

  /** Float samples read into the open series. */
  private int seriesSamples;
  private int seriesWithoutSamples;
  private int histograms;
  private int exemplars;
  private int metadata;

  /**
   * @param maxDecodedBytes the largest decoded (uncompressed) message accepted; larger ones are a 413
   */
  public RemoteWriteDecoder(int maxDecodedBytes) {
    if (maxDecodedBytes <= 0) {
      throw new IllegalArgumentException("maxDecodedBytes must be positive, got " + maxDecodedBytes);
    }
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /** The configured limit on the decoded message size, in bytes. */
  public int maxDecodedBytes() {
    return maxDecodedBytes;
  }

  /**
   * Decodes a request body.
   *
   * @param body the raw HTTP body (snappy-compressed protobuf)
   * @param contentType the Content-Type header, or null when absent
   * @param contentEncoding the Content-Encoding header, or null when absent
   * @return the series and counts; the batch shares nothing with this decoder
   * @throws DecodeException 415 for an unsupported Content-Type or Content-Encoding, 413 for a decoded size
   *     over the limit, 400 for bad snappy, malformed protobuf or an invalid series
   */
  public DecodedWrite decode(byte[] body, String contentType, String contentEncoding) throws DecodeException {
    Version version = versionOf(contentType);
    checkEncoding(contentEncoding);
    int len = decompress(body);
    return decodeMessage(version, decoded, len);
  }

  /**
   * The message a Content-Type names.
   *
   * @throws DecodeException 415 unless it is {@code application/x-protobuf} with no {@code proto} parameter
   *     or one naming a known message
   */
  public static Version versionOf(String contentType) throws DecodeException {
    if (contentType == null || contentType.isBlank()) {
      return Version.V1;
    }
    String[] parts = contentType.split(";");
    String media = parts[0].trim();
    if (!media.equalsIgnoreCase(MEDIA_TYPE)) {
      throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Type \"" + contentType + "\": expected " + MEDIA_TYPE);
    }
    String proto = null;
    for (int k = 1; k < parts.length; k++) {
      String p = parts[k].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("proto")) {
        proto = p.substring(eq + 1).trim();
        if (proto.length() >= 2 && proto.startsWith("\"") && proto.endsWith("\"")) {
          proto = proto.substring(1, proto.length() - 1);
        }
      }
    }
    if (proto == null || proto.equals(Version.V1.message())) {
      return Version.V1;
    }
    if (proto.equals(Version.V2.message())) {
      return Version.V2;
    }
    throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
        "unsupported Content-Type \"" + contentType + "\": unknown proto \"" + proto + "\", expected "
            + Version.V1.message() + " or " + Version.V2.message());
  }

  private static void checkEncoding(String contentEncoding) throws DecodeException {
    if (contentEncoding != null && !contentEncoding.isBlank()
        && !contentEncoding.trim().equalsIgnoreCase(SNAPPY)) {
      throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Encoding \"" + contentEncoding + "\": expected " + SNAPPY);
    }
  }

  /** Decompresses the body into {@link #decoded}; returns the decoded length. */
  private int decompress(byte[] body) throws DecodeException {
    if (body == null || body.length == 0) {
      throw new DecodeException(DecodeException.BAD_REQUEST, "bad snappy: empty body");
    }
    long n;
    try {
      n = Snappy.uncompressedLength(body);
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST, "bad snappy: invalid length header");
    }
    if (n < 0 || n > maxDecodedBytes) {
      throw new DecodeException(DecodeException.PAYLOAD_TOO_LARGE,
          "decoded body of " + Integer.toUnsignedString((int) n) + " bytes exceeds the limit of "
              + maxDecodedBytes + " bytes");
    }
    try {
      if (!Snappy.isValidCompressedBuffer(body)) {
        throw new DecodeException(DecodeException.BAD_REQUEST, "bad snappy: corrupt input");
      }
      if (decoded.length < n) {
        decoded = new byte[(int) Math.max(n, Math.min(maxDecodedBytes, 2L * decoded.length))];
      }
      int got = Snappy.uncompress(body, 0, body.length, decoded, 0);
      if (got != n) {
        throw new DecodeException(DecodeException.BAD_REQUEST,
            "bad snappy: decoded " + got + " bytes, header said " + n);
      }
      return got;
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST, "bad snappy: corrupt input");
    }
  }

  /**
   * Decodes an already decompressed message (for callers that decompress themselves, and tests).
   *
   * @param msg the protobuf bytes, from offset 0
   * @param len their length
   * @throws DecodeException 413 if {@code len} is over the limit, 400 for malformed protobuf or an invalid
   *     series
   */
  public DecodedWrite decodeMessage(Version version, byte[] msg, int len) throws DecodeException {
    if (len > maxDecodedBytes) {
      throw new DecodeException(DecodeException.PAYLOAD_TOO_LARGE,
          "decoded body of " + len + " bytes exceeds the limit of " + maxDecodedBytes + " bytes");
    }
    builder.reset();
    seriesWithoutSamples = 0;
    histograms = 0;
    exemplars = 0;
    metadata = 0;
    try {
      if (version == Version.V1) {
        decodeV1(msg, len);
      } else {
        decodeV2(msg, len);
      }
      int s = builder.seriesCount();
      int n = builder.sampleCount();
      SeriesBatch batch = builder.build();
      return new DecodedWrite(version, batch, s, n, seriesWithoutSamples, histograms, exemplars, metadata);
    } finally {
      builder.reset();
    }
  }

  // ---------------------------------------------------------------- 1.0

  private void decodeV1(byte[] msg, int len) throws DecodeException {
    WireReader r = top.reset(msg, 0, 0, len);
    int index = 0;
    while (r.hasMore()) {
      int at = r.position();
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          r.expect(tag, WireReader.LEN, "WriteRequest.timeseries", at);
          int l = r.readLength();
          int start = r.position();
          decodeV1Series(index++, msg, start, l);
          r.seek(start + l);
        }
        case 3 -> {
          metadata++;
          r.skip(tag);
        }
        default -> r.skip(tag);
      }
    }
  }

  /**
   * Decodes one 1.0 series in two passes over its fields: labels first, then samples. When the labels are
   * already encoded as the batch stores them (contiguous, each exactly {@code name} then {@code value} with
   * minimal lengths, no empty value: what protobuf encoders write) their bytes are taken as they are, once
   * validation has proved them sorted and unique, instead of being copied, sorted and re-encoded; the batch
   * is byte for byte the same either way. A series the first pass cannot read is read again in one pass,
   * fields in order, so that errors are reported as before.
   */
  private void decodeV1Series(int index, byte[] msg, int off, int len) throws DecodeException {
    labelCount = 0;
    seriesSamples = 0;
    labelsAsIs = true;
    labelsStart = -1;
    labelsEnd = -1;
    boolean asIs = false;
    try {
      boolean labelsRead;
      try {
        readV1Fields(msg, off, len, true, false);
        labelsRead = true;
      } catch (DecodeException e) {
        labelsRead = false;
      }
      if (!labelsRead) {
        labelCount = 0;
        builder.beginSeries();
        readV1Fields(msg, off, len, true, true);
      } else if (labelsAsIs && labelsStart >= 0) {
        asIs = true;
        builder.beginEncodedSeries(msg, labelsStart, labelsEnd - labelsStart,
            Hashing.hash64(msg, labelsStart, labelsEnd - labelsStart));
        readV1Fields(msg, off, len, false, true);
      } else {
        builder.beginSeries();
        readV1Fields(msg, off, len, false, true);
      }
    } catch (DecodeException e) {
      builder.abortSeries();
      throw e.withPrefix("series " + index + ": ");
    }
    finishSeries(index, msg, true, seriesSamples, asIs);
  }

  /** Reads a TimeSeries' labels, or its samples (and counts exemplars and histograms), or both, in order. */
  private void readV1Fields(byte[] msg, int off, int len, boolean readLabels, boolean readSamples)
      throws DecodeException {
    WireReader s = series.reset(msg, 0, off, len);
    while (s.hasMore()) {
      int at = s.position();
      int tag = s.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          if (!readLabels) {
            s.skip(tag);
            continue;
          }
          s.expect(tag, WireReader.LEN, "TimeSeries.labels", at);
          int l = s.readLength();
          int start = s.position();
          labelsAsIs &= readV1Label(msg, start, l) && start == at + 1 + Varint.size(l)
              && (labelsStart < 0 || at == labelsEnd);
          if (labelsStart < 0) {
            labelsStart = at;
          }
          labelsEnd = start + l;
          s.seek(start + l);
        }
        case 2 -> {
          if (!readSamples) {
            s.skip(tag);
            continue;
          }
          s.expect(tag, WireReader.LEN, "TimeSeries.samples", at);
          int l = s.readLength();
          int start = s.position();
          readSample(msg, start, l);
          s.seek(start + l);
        }
        case 3 -> {
          exemplars += readSamples ? 1 : 0;
          s.skip(tag);
        }
        case 4 -> {
          histograms += readSamples ? 1 : 0;
          s.skip(tag);
        }
        default -> s.skip(tag);
      }
    }
  }

  /**
   * Reads one Label message; returns whether it is laid out exactly as the batch encodes labels: the name
   * field then the value field, minimal lengths, nothing else, neither empty.
   */
  private boolean readV1Label(byte[] msg, int off, int len) throws DecodeException {
    WireReader r = inner.reset(msg, 0, off, len);
    int nOff = off;
    int nLen = 0;
    int vOff = off;
    int vLen = 0;
    while (r.hasMore()) {
      int at = r.position();
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          r.expect(tag, WireReader.LEN, "Label.name", at);
          nLen = r.readLength();
          nOff = r.position();
          r.seek(nOff + nLen);
        }
        case 2 -> {
          r.expect(tag, WireReader.LEN, "Label.value", at);
          vLen = r.readLength();
          vOff = r.position();
          r.seek(vOff + vLen);
        }
        default -> r.skip(tag);
      }
    }
    addLabel(nOff, nLen, vOff, vLen);
    return nLen > 0 && vLen > 0 && nOff == off + 1 + Varint.size(nLen)
        && vOff == nOff + nLen + 1 + Varint.size(vLen) && vOff + vLen == off + len;
  }

  /** Reads a Sample (1.0 and 2.0 share fields 1 and 2) and adds it to the open series. */
  private void readSample(byte[] msg, int off, int len) throws DecodeException {
    WireReader r = inner.reset(msg, 0, off, len);
    long bits = 0;
    long ts = 0;
    while (r.hasMore()) {
      int at = r.position();
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          r.expect(tag, WireReader.FIXED64, "Sample.value", at);
          bits = r.readFixed64();
        }
        case 2 -> {
          r.expect(tag, WireReader.VARINT, "Sample.timestamp", at);
          ts = r.readVarint64();
        }
        default -> r.skip(tag);
      }
    }
    builder.sample(ts, Double.longBitsToDouble(bits));
    seriesSamples++;
  }

  private void addLabel(int nOff, int nLen, int vOff, int vLen) {
    int k = 4 * labelCount;
    if (k + 4 > labels.length) {
      labels = Arrays.copyOf(labels, labels.length * 2);
    }
    labels[k] = nOff;
    labels[k + 1] = nLen;
    labels[k + 2] = vOff;
    labels[k + 3] = vLen;
    labelCount++;
  }

  /** Validates the current series' labels; adds them and ends the series, or drops it without samples. */
  /**
   * Validates the open series and ends it; {@code encoded} when it was begun with its label bytes as they
   * are ({@link SeriesBatch.Builder#beginEncodedSeries}), else its labels are added here.
   */
  private void finishSeries(int index, byte[] msg, boolean checkUtf8, int sampleCount, boolean encoded)
      throws DecodeException {
    String problem = validate(msg, checkUtf8);
    if (problem != null) {
      builder.abortSeries();
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "series " + index + " (" + describe(msg) + "): " + problem);
    }
    if (sampleCount == 0) {
      builder.abortSeries();
      seriesWithoutSamples++;
      return;
    }
    if (!encoded) {
      int[] l = labels;
      for (int k = 0; k < 4 * labelCount; k += 4) {
        builder.label(msg, l[k], l[k + 1], msg, l[k + 2], l[k + 3]);
      }
    }
    String duplicate = builder.endSeries();
    if (duplicate != null) {
      // unreachable after validation; kept so a builder change cannot slip a bad series through
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "series " + index + " (" + describe(msg) + "): duplicate label name \"" + duplicate + "\"");
    }
  }

  /** The first problem with the current series' labels, or null. */
  private String validate(byte[] msg, boolean checkUtf8) {
    int[] l = labels;
    boolean hasName = false;
    for (int i = 0; i < labelCount; i++) {
      int k = 4 * i;
      int nOff = l[k];
      int nLen = l[k + 1];
      if (nLen == 0) {
        return "empty label name (label " + i + ")";
      }
      if (checkUtf8) {
        int bad = Utf8.firstInvalid(msg, nOff, nLen);
        if (bad >= 0) {
          return "invalid UTF-8 in label name " + quote(msg, nOff, nLen) + " at byte " + bad;
        }
        bad = Utf8.firstInvalid(msg, l[k + 2], l[k + 3]);
        if (bad >= 0) {
          return "invalid UTF-8 in value of label " + quote(msg, nOff, nLen) + " at byte " + bad;
        }
      }
      if (i > 0) {
        int c = Arrays.compareUnsigned(msg, l[k - 4], l[k - 4] + l[k - 3], msg, nOff, nOff + nLen);
        if (c == 0) {
          return "duplicate label name " + quote(msg, nOff, nLen);
        }
        if (c > 0) {
          return "labels not sorted: " + quote(msg, nOff, nLen) + " after " + quote(msg, l[k - 4], l[k - 3]);
        }
      }
      if (l[k + 3] > 0 && Arrays.equals(msg, nOff, nOff + nLen, METRIC_NAME, 0, METRIC_NAME.length)) {
        hasName = true;
      }
    }
    return hasName ? null : "missing __name__";
  }

  /** The current series' labels as {@code {a="b", c="d"}}, in request order, shortened if long. */
  private String describe(byte[] msg) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < labelCount; i++) {
      int k = 4 * i;
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(new String(msg, labels[k], labels[k + 1], StandardCharsets.UTF_8)).append('=')
          .append(quote(msg, labels[k + 2], labels[k + 3]));
      if (sb.length() > MAX_DESCRIBED) {
        sb.setLength(MAX_DESCRIBED);
        sb.append("...");
        break;
      }
    }
    return sb.append('}').toString();
  }

  private static String quote(byte[] msg, int off, int len) {
    String s = new String(msg, off, len, StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  // ---------------------------------------------------------------- 2.0

  private void decodeV2(byte[] msg, int len) throws DecodeException {
    symCount = 0;
    tsCount = 0;
    WireReader r = top.reset(msg, 0, 0, len);
    while (r.hasMore()) {
      int at = r.position();
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 4 -> {
          r.expect(tag, WireReader.LEN, "Request.symbols", at);
          int l = r.readLength();
          if (symCount == symOff.length) {
            symOff = Arrays.copyOf(symOff, symCount * 2);
            symLen = Arrays.copyOf(symLen, symCount * 2);
          }
          symOff[symCount] = r.position();
          symLen[symCount++] = l;
          r.seek(r.position() + l);
        }
        case 5 -> {
          r.expect(tag, WireReader.LEN, "Request.timeseries", at);
          int l = r.readLength();
          if (tsCount == tsOff.length) {
            tsOff = Arrays.copyOf(tsOff, tsCount * 2);
            tsLen = Arrays.copyOf(tsLen, tsCount * 2);
          }
          tsOff[tsCount] = r.position();
          tsLen[tsCount++] = l;
          r.seek(r.position() + l);
        }
        default -> r.skip(tag);
      }
    }
    if (symCount > 0 && symLen[0] != 0) {
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "symbols[0] must be the empty string, got " + quote(msg, symOff[0], symLen[0]));
    }
    for (int i = 0; i < symCount; i++) {
      int bad = Utf8.firstInvalid(msg, symOff[i], symLen[i]);
      if (bad >= 0) {
        throw new DecodeException(DecodeException.BAD_REQUEST,
            "symbols[" + i + "]: invalid UTF-8 at byte " + bad);
      }
    }
    for (int i = 0; i < tsCount; i++) {
      decodeV2Series(i, msg, tsOff[i], tsLen[i]);
    }
  }

  private void decodeV2Series(int index, byte[] msg, int off, int len) throws DecodeException {
    labelCount = 0;
    refCount = 0;
    builder.beginSeries();
    seriesSamples = 0;
    WireReader s = series.reset(msg, 0, off, len);
    try {
      while (s.hasMore()) {
        int at = s.position();
        int tag = s.readTag();
        switch (tag >>> 3) {
          case 1 -> {
            if ((tag & 7) == WireReader.LEN) {
              int l = s.readLength();
              int start = s.position();
              WireReader p = inner.reset(msg, 0, start, l);
              while (p.hasMore()) {
                int refAt = p.position();
                addRef(p.readVarint64(), refAt);
              }
              s.seek(start + l);
            } else {
              s.expect(tag, WireReader.VARINT, "TimeSeries.labels_refs", at);
              int refAt = s.position();
              addRef(s.readVarint64(), refAt);
            }
          }
          case 2 -> {
            s.expect(tag, WireReader.LEN, "TimeSeries.samples", at);
            int l = s.readLength();
            int start = s.position();
            readSample(msg, start, l);
            s.seek(start + l);
          }
          case 3 -> {
            histograms++;
            s.skip(tag);
          }
          case 4 -> {
            exemplars++;
            s.skip(tag);
          }
          case 5 -> {
            metadata++;
            s.skip(tag);
          }
          default -> s.skip(tag);
        }
      }
      if ((refCount & 1) != 0) {
        throw new DecodeException(DecodeException.BAD_REQUEST,
            "odd number of label refs (" + refCount + ")");
      }
      for (int k = 0; k < refCount; k++) {
        long ref = refs[k];
        if (ref < 0 || ref >= symCount) {
          throw new DecodeException(DecodeException.BAD_REQUEST,
              "label ref " + Long.toUnsignedString(ref) + " at byte " + refPos[k] + " out of range ("
                  + symCount + " symbols)");
        }
      }
    } catch (DecodeException e) {
      builder.abortSeries();
      throw e.withPrefix("series " + index + ": ");
    }
    for (int k = 0; k < refCount; k += 2) {
      int n = (int) refs[k];
      int v = (int) refs[k + 1];
      addLabel(symOff[n], symLen[n], symOff[v], symLen[v]);
    }
    finishSeries(index, msg, false, seriesSamples, false);
  }

  private void addRef(long ref, int at) {
    if (refCount == refs.length) {
      refs = Arrays.copyOf(refs, refCount * 2);
      refPos = Arrays.copyOf(refPos, refCount * 2);
    }
    refs[refCount] = ref;
    refPos[refCount++] = at;
  }
}
