package io.clymene.gateway.otlp;

import io.clymene.model.SeriesBatch;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;

/**
 * The outcome of decoding one OTLP/HTTP metrics export: the Prometheus series, and what could not be
 * converted, which the receiver reports as an OTLP partial success.
 *
 * @param batch the converted series, labels sorted, in the order first seen in the request
 * @param series number of series in {@link #batch}
 * @param samples number of samples in {@link #batch}
 * @param rejectedDataPoints OTLP data points dropped (unsupported type or temporality, invalid labels)
 * @param rejectionMessage why: the first rejected metric and the reason, e.g.
 *     {@code metric "x": exponential histograms are not supported}; or a warning that lost no point
 *     ({@code metric "y": no data points}); null when there is nothing to report
 */
public record OtlpResult(SeriesBatch batch, int series, int samples, int rejectedDataPoints,
                         String rejectionMessage) {

  /** The Content-Type of {@link #responseBody()}. */
  public static final String RESPONSE_MEDIA_TYPE = "application/x-protobuf";

  /** Whether the receiver must report a partial success (something rejected or a warning). */
  public boolean partialSuccess() {
    return rejectedDataPoints > 0 || rejectionMessage != null;
  }

  /**
   * The body of the 200 response: a serialized {@code ExportMetricsServiceResponse}, with
   * {@code partial_success} (rejected data points and message) when {@link #partialSuccess()}, else empty.
   */
  public byte[] responseBody() {
    ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
    if (partialSuccess()) {
      response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
          .setRejectedDataPoints(rejectedDataPoints)
          .setErrorMessage(rejectionMessage == null ? "" : rejectionMessage));
    }
    return response.build().toByteArray();
  }
}
