package io.clymene.transport.grpc;

/** Which call of {@code ClymeneService} a gateway writer uses. */
enum GatewayRpc {
  /** {@code StreamMetrics}: every message of a write on one client-streaming call (the default). */
  STREAM("stream"),
  /** {@code RequestMetrics}: one unary call per message, as the Go Clymene gateway accepts. */
  UNARY("unary");

  private final String configValue;

  GatewayRpc(String configValue) {
    this.configValue = configValue;
  }

  String configValue() {
    return configValue;
  }

  /** The {@code rpc} key's value; null means the default. */
  static GatewayRpc fromConfig(String value) {
    if (value == null) {
      return STREAM;
    }
    for (GatewayRpc r : values()) {
      if (r.configValue.equals(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException("expected stream or unary, got '" + value + "'");
  }
}
