package io.clymene.storage.prometheus;

import java.util.List;

/**
 * The remote-write protobuf message a writer sends ({@code protobuf_message}), with the request headers
 * each one requires.
 */
enum RemoteWriteProtocol {
  /** Remote write 1.0: {@code prometheus.WriteRequest}, understood by every receiver. The default. */
  V1("application/x-protobuf", "0.1.0"),
  /** Remote write 2.0: {@code io.prometheus.write.v2.Request}, with symbols and metadata. */
  V2("application/x-protobuf;proto=io.prometheus.write.v2.Request", "2.0.0");

  /** The values {@code protobuf_message} accepts: ours and Prometheus' spelling of each message. */
  static final List<String> CONFIG_VALUES = List.of("v1", "v2", "prometheus.WriteRequest",
      "io.prometheus.write.v2.Request");

  private final String contentType;
  private final String version;

  RemoteWriteProtocol(String contentType, String version) {
    this.contentType = contentType;
    this.version = version;
  }

  /** The message for a {@code protobuf_message} value; null means the default, 1.0. */
  static RemoteWriteProtocol fromConfig(String value) {
    if (value == null) {
      return V1;
    }
    return switch (value) {
      case "v1", "prometheus.WriteRequest" -> V1;
      case "v2", "io.prometheus.write.v2.Request" -> V2;
      default -> throw new IllegalArgumentException("expected one of " + String.join(", ", CONFIG_VALUES)
          + ", got '" + value + "'");
    };
  }

  /** The Content-Type request header. */
  String contentType() {
    return contentType;
  }

  /** The X-Prometheus-Remote-Write-Version request header. */
  String version() {
    return version;
  }
}
