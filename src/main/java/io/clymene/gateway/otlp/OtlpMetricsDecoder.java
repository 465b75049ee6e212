package io.clymene.gateway.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.GzipInflater;
import io.clymene.model.SeriesBatch;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * Decodes OTLP/HTTP metrics export bodies ({@code POST /v1/metrics}) into a {@link SeriesBatch}, translating
 * OTLP metrics to Prometheus series as Prometheus' OTLP receiver does with its default settings.
 *
 * <p>Only binary protobuf is accepted: a Content-Type other than {@code application/x-protobuf} (OTLP/JSON
 * included) is a 415, and so is a Content-Encoding other than {@code gzip}, {@code identity} or none. The
 * decoded body may not pass the configured size (413): a plain body is checked before parsing, a gzip body
 * while it inflates. A body that is not valid gzip or protobuf is a 400 naming the problem.
 *
 * <p>Translation: metric names get their unit and type suffixes ({@code _seconds}, {@code _bytes},
 * {@code _total} for monotonic sums, {@code _ratio} for gauges of unit {@code 1}; see
 * {@link PrometheusNames}); attributes become sanitized labels; resource attribute {@code service.name}
 * (prefixed by {@code service.namespace/}) becomes {@code job} and {@code service.instance.id} becomes
 * {@code instance}, and the other resource attributes go to a {@code target_info} series of value 1 at the
 * time of the resource's latest point. Gauges and non-monotonic sums give one series, monotonic sums a
 * counter, histograms {@code _bucket} (cumulative, with {@code le}, up to {@code +Inf}), {@code _sum} (when
 * set) and {@code _count}, summaries quantile series, {@code _sum} and {@code _count}. Timestamps are cut to
 * milliseconds; a point flagged no-recorded-value gives the stale marker. Scope name and version are not
 * labels; exemplars are dropped.
 *
 * <p>Delta sums and histograms (which Prometheus 2.x rejects) and exponential histograms (we carry only
 * floats) are rejected: the rest of the request is kept and {@link OtlpResult} reports a partial success
 * with the count and the first reason. If something was rejected and nothing converted, the request is a
 * 400 with that reason.
 *
 * <p>Reusable (the inflate buffer is kept) and not thread-safe: use one per event loop.
 */
public final class OtlpMetricsDecoder {
  /** The only Content-Type accepted. */
  public static final String MEDIA_TYPE = "application/x-protobuf";
  /** The Content-Encoding that is inflated. */
  public static final String GZIP = "gzip";

  private static final int GRPC_INVALID_ARGUMENT = 3;
  private static final int GRPC_RESOURCE_EXHAUSTED = 8;

  private final int maxDecodedBytes;
  private final GzipInflater gunzip;
  private final MetricsConverter converter = new MetricsConverter();
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();

  /**
   * @param maxDecodedBytes the largest decoded (inflated) protobuf message accepted; larger is a 413
   */
  public OtlpMetricsDecoder(int maxDecodedBytes) {
    if (maxDecodedBytes <= 0) {
      throw new IllegalArgumentException("maxDecodedBytes must be positive, got " + maxDecodedBytes);
    }
    this.maxDecodedBytes = maxDecodedBytes;
    this.gunzip = new GzipInflater(maxDecodedBytes);
  }

  /** The configured limit on the decoded message size, in bytes. */
  public int maxDecodedBytes() {
    return maxDecodedBytes;
  }

  /**
   * Decodes and translates a request body.
   *
   * @param body the raw HTTP body
   * @param contentType the Content-Type header, or null when absent
   * @param contentEncoding the Content-Encoding header, or null when absent
   * @return the series and what was rejected; the batch shares nothing with this decoder
   * @throws DecodeException 415 for an unsupported Content-Type or Content-Encoding, 413 for a decoded
   *     size over the limit, 400 for bad gzip or protobuf, or when every point was rejected
   */
  public OtlpResult decode(byte[] body, String contentType, String contentEncoding) throws DecodeException {
    checkContentType(contentType);
    boolean gzip = isGzip(contentEncoding);
    byte[] message = body;
    int length = body.length;
    if (gzip) {
      length = gunzip.inflate(body);
      message = gunzip.buffer();
    } else if (length > maxDecodedBytes) {
      throw new DecodeException(DecodeException.PAYLOAD_TOO_LARGE,
          "body of " + length + " bytes exceeds the limit of " + maxDecodedBytes + " bytes");
    }
    return translate(parse(message, length));
  }

  /** Translates an already parsed request (for the gRPC receiver and tests). */
  public OtlpResult translate(ExportMetricsServiceRequest request) throws DecodeException {
    converter.clear();
    builder.reset();
    try {
      converter.convert(request);
      SeriesCollector collected = converter.series();
      // a target_info alone is no conversion: the client must learn that none of its points was taken
      if (converter.convertedPoints() == 0 && converter.rejectedPoints() > 0) {
        throw new DecodeException(DecodeException.BAD_REQUEST, converter.message());
      }
      collected.appendTo(builder);
      int series = builder.seriesCount();
      int samples = builder.sampleCount();
      return new OtlpResult(builder.build(), series, samples, converter.rejectedPoints(),
          converter.message());
    } finally {
      converter.clear();
      builder.reset();
    }
  }

  private static ExportMetricsServiceRequest parse(byte[] message, int length) throws DecodeException {
    CodedInputStream in = CodedInputStream.newInstance(message, 0, length);
    try {
      return ExportMetricsServiceRequest.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "malformed protobuf ExportMetricsServiceRequest at byte " + in.getTotalBytesRead() + " of "
              + length + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "malformed protobuf ExportMetricsServiceRequest (" + length + " bytes): " + e);
    }
  }

  private static void checkContentType(String contentType) throws DecodeException {
    if (contentType == null || contentType.isBlank()) {
      throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
          "missing Content-Type: only " + MEDIA_TYPE + " (binary protobuf OTLP) is accepted");
    }
    int semicolon = contentType.indexOf(';');
    String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    if (!media.equalsIgnoreCase(MEDIA_TYPE)) {
      throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Type \"" + contentType + "\": only " + MEDIA_TYPE
              + " (binary protobuf OTLP) is accepted" + (media.equalsIgnoreCase("application/json")
              ? ", not OTLP/JSON" : ""));
    }
  }

  private static boolean isGzip(String contentEncoding) throws DecodeException {
    if (contentEncoding == null || contentEncoding.isBlank()) {
      return false;
    }
    String e = contentEncoding.trim().toLowerCase(Locale.ROOT);
    if (e.equals(GZIP)) {
      return true;
    }
    if (e.equals("identity")) {
      return false;
    }
    throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
        "unsupported Content-Encoding \"" + contentEncoding + "\": expected " + GZIP + " or none");
  }

  /**
   * The body of an error response as the OTLP/HTTP specification asks: a serialized
   * {@code google.rpc.Status} with the message, code INVALID_ARGUMENT (RESOURCE_EXHAUSTED for a 413), sent
   * with Content-Type {@link #MEDIA_TYPE} and the exception's HTTP status.
   */
  public static byte[] errorBody(DecodeException e) {
    int code = e.status() == DecodeException.PAYLOAD_TOO_LARGE
        ? GRPC_RESOURCE_EXHAUSTED : GRPC_INVALID_ARGUMENT;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt32(1, code);
      out.writeString(2, e.getMessage() == null ? "" : e.getMessage());
      out.flush();
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return bytes.toByteArray();
  }
}
