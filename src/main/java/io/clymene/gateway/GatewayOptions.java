package io.clymene.gateway;

import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.ServerAddress;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The gateway's receivers: where they listen, their TLS, limits, authentication and tenant handling,
 * read from the {@code gateway} section of the Clymene config. Immutable.
 *
 * @param grpc the gRPC server's address
 * @param http the HTTP receivers' address
 * @param grpcTls TLS of the gRPC server, or null for plain text (h2c)
 * @param httpTls TLS of the HTTP receivers, or null for plain text
 * @param maxRequestBytes the largest request body accepted, compressed and decoded alike (413 beyond)
 * @param maxMessageBytes the largest gRPC message accepted
 * @param streamWait how long a gRPC stream is paused waiting for room in a full output before it is
 *     answered RESOURCE_EXHAUSTED
 * @param retryAfter the {@code Retry-After} given with a 429 when the output is full
 * @param credentialsFile a file of accepted bearer tokens and basic credentials, or null for no
 *     authentication
 * @param credentialsCheck how often the credentials file is checked for changes
 * @param tenantHeader the request header (gRPC metadata) naming the tenant, or null
 * @param tenantLabel the label the tenant is written to
 * @param tenantRequired whether a request without the tenant header is refused (401)
 * @param instances how many copies of the receivers run (one per event loop)
 */
public record GatewayOptions(ServerAddress grpc, ServerAddress http, TlsServerOptions grpcTls,
                             TlsServerOptions httpTls, int maxRequestBytes, int maxMessageBytes,
                             Duration streamWait, Duration retryAfter, String credentialsFile,
                             Duration credentialsCheck, String tenantHeader, String tenantLabel,
                             boolean tenantRequired, int instances) {

  /** Default largest request body: 32 MiB, as vmagent's {@code -maxInsertRequestSize}. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 32 << 20;
  /** Default Retry-After with a 429. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  /** Default wait of a full stream. */
  public static final Duration DEFAULT_STREAM_WAIT = Duration.ofSeconds(5);
  /** Default tenant label. */
  public static final String DEFAULT_TENANT_LABEL = "tenant";

  /**
   * TLS settings of a server.
   *
   * @param certFile the server's certificate chain (PEM)
   * @param keyFile its private key (PEM)
   * @param clientCaFile CA certificates client certificates must chain to, or null
   * @param clientAuth {@code none}, {@code request} or {@code require} (the default when a client CA is set)
   */
  public record TlsServerOptions(String certFile, String keyFile, String clientCaFile, String clientAuth) {

    static TlsServerOptions from(JsonObject tls, String path) {
      if (tls == null) {
        return null;
      }
      String cert = tls.getString("cert_file");
      String key = tls.getString("key_file");
      if (cert == null || key == null) {
        throw new ConfigException(null, path, "a server needs both cert_file and key_file");
      }
      String ca = tls.getString("client_ca_file");
      String auth = tls.getString("client_auth", ca != null ? "require" : "none");
      if (!auth.equals("none") && ca == null) {
        throw new ConfigException(null, path + ".client_auth", "'" + auth + "' needs client_ca_file");
      }
      return new TlsServerOptions(cert, key, ca, auth);
    }
  }

  /**
   * Reads the {@code gateway} section (normalized, may be null).
   *
   * @param grpc the gRPC address (already read by the caller, with its defaults)
   * @param http the HTTP address
   * @param instances the number of event loops
   * @throws ConfigException naming the key of a bad value
   */
  public static GatewayOptions from(JsonObject section, ServerAddress grpc, ServerAddress http, int instances) {
    JsonObject s = section == null ? new JsonObject() : section;
    JsonObject g = s.getJsonObject("grpc", new JsonObject());
    JsonObject h = s.getJsonObject("http", new JsonObject());
    int maxRequest = bytes(s, "max_request_size", DEFAULT_MAX_REQUEST_BYTES, "gateway");
    int maxMessage = bytes(g, "max_message_size", maxRequest, "gateway.grpc");
    JsonObject auth = s.getJsonObject("auth", new JsonObject());
    JsonObject tenant = s.getJsonObject("tenant", new JsonObject());
    return new GatewayOptions(grpc, http,
        TlsServerOptions.from(g.getJsonObject("tls"), "gateway.grpc.tls"),
        TlsServerOptions.from(h.getJsonObject("tls"), "gateway.http.tls"),
        maxRequest, maxMessage,
        duration(g, "stream_wait", DEFAULT_STREAM_WAIT),
        duration(s, "retry_after", DEFAULT_RETRY_AFTER),
        auth.getString("credentials_file"),
        duration(auth, "check_interval", GatewayAuth.DEFAULT_CHECK_INTERVAL),
        tenant.getString("header"), tenant.getString("label", DEFAULT_TENANT_LABEL),
        tenant.getBoolean("required", false), Math.max(1, instances));
  }

  private static int bytes(JsonObject o, String key, int def, String path) {
    if (!o.containsKey(key)) {
      return def;
    }
    long v = o.getLong(key);
    if (v < 1024 || v > Integer.MAX_VALUE - 8) {
      throw new ConfigException(null, path + "." + key, "expected a size between 1KiB and 2GiB, got " + o.getValue(key));
    }
    return (int) v;
  }

  private static Duration duration(JsonObject o, String key, Duration def) {
    return o.containsKey(key) ? Durations.parse(o.getString(key)) : def;
  }
}
