package io.clymene.transport.kafka;

import io.clymene.config.ClymeneSchema;
import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.BiFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How a Kafka client (the writer's producer, the ingester's consumer and dead-letter producer)
 * authenticates: SASL PLAIN/SCRAM from {@code sasl} ({@code mechanism}, {@code username}, {@code password}
 * or {@code password_file}) and TLS from {@code tls} ({@code ca_file}, {@code cert_file}, {@code key_file}
 * as PEM, the key in PKCS#8; {@code insecure_skip_verify} turns off only the host name check, as Kafka has
 * no trust-all). Immutable; {@link #toString()} shows no secret.
 */
public final class KafkaSecurity {
  private static final List<String> SASL_MECHANISMS = List.of(ClymeneSchema.KAFKA_SASL_MECHANISMS);

  private final String saslMechanism;
  private final String saslUsername;
  private final String saslPassword;
  private final String saslPasswordFile;
  private final boolean tls;
  private final String caFile;
  private final String certFile;
  private final String keyFile;
  private final boolean skipHostCheck;

  /**
   * Reads and checks the two sections (either may be null).
   *
   * @param error makes the exception for a key (relative to the sections' parent) and a problem
   * @throws ConfigException naming the key
   */
  public static KafkaSecurity from(JsonObject sasl, JsonObject tls, BiFunction<String, String, ConfigException> error) {
    return new KafkaSecurity(sasl, tls, error);
  }

  private KafkaSecurity(JsonObject sasl, JsonObject t, BiFunction<String, String, ConfigException> error) {
    if (sasl != null) {
      this.saslMechanism = sasl.getString("mechanism", "PLAIN");
      this.saslUsername = sasl.getString("username");
      this.saslPassword = sasl.getString("password");
      this.saslPasswordFile = sasl.getString("password_file");
      if (!SASL_MECHANISMS.contains(saslMechanism)) {
        throw error.apply("sasl.mechanism", "expected one of " + SASL_MECHANISMS + ", got '" + saslMechanism + "'");
      }
      if (saslUsername == null || saslUsername.isEmpty()) {
        throw error.apply("sasl.username", "missing");
      }
      if ((saslPassword == null) == (saslPasswordFile == null)) {
        throw error.apply("sasl", "needs exactly one of password and password_file");
      }
    } else {
      this.saslMechanism = null;
      this.saslUsername = null;
      this.saslPassword = null;
      this.saslPasswordFile = null;
    }
    this.tls = t != null;
    this.caFile = t == null ? null : t.getString("ca_file");
    this.certFile = t == null ? null : t.getString("cert_file");
    this.keyFile = t == null ? null : t.getString("key_file");
    this.skipHostCheck = t != null && t.getBoolean("insecure_skip_verify", false);
    if (t != null && t.containsKey("server_name")) {
      throw error.apply("tls.server_name", "not supported by Kafka clients (they connect to the advertised "
          + "broker names)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw error.apply("tls", "a client certificate needs both cert_file and key_file");
    }
  }

  /** Kafka's {@code security.protocol} for these settings. */
  public String protocol() {
    if (saslMechanism != null) {
      return tls ? "SASL_SSL" : "SASL_PLAINTEXT";
    }
    return tls ? "SSL" : "PLAINTEXT";
  }

  /**
   * Puts the security properties into {@code p}. Reads the password and PEM files, so call it off the event
   * loop.
   *
   * @throws IOException when a file cannot be read or holds a key Kafka cannot use
   */
  public void apply(Properties p) throws IOException {
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol());
    if (saslMechanism != null) {
      String password = saslPassword != null ? saslPassword
          : Files.readString(Path.of(saslPasswordFile), StandardCharsets.UTF_8).trim();
      String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasEscape(saslUsername)
          + "\" password=\"" + jaasEscape(password) + "\";");
    }
    if (tls) {
      if (caFile != null) {
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read(caFile));
      }
      if (certFile != null) {
        String key = read(keyFile);
        if (key.contains("BEGIN RSA PRIVATE KEY") || key.contains("BEGIN EC PRIVATE KEY")) {
          throw new IOException(keyFile + " holds a PKCS#1/SEC1 key; Kafka needs PKCS#8 (convert with "
              + "openssl pkcs8 -topk8 -nocrypt -in " + keyFile + ")");
        }
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(certFile));
        p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
      }
      if (skipHostCheck) {
        p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
      }
    }
  }

  private static String read(String file) throws IOException {
    return Files.readString(Path.of(file), StandardCharsets.UTF_8);
  }

  static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public String toString() {
    return protocol() + (saslUsername == null ? "" : ", sasl=" + saslMechanism + "(" + saslUsername + ")");
  }
}
