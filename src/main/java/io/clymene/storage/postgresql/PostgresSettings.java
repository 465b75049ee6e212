package io.clymene.storage.postgresql;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * How a {@code postgresql} entry connects: the JDBC URL and pgjdbc properties built from {@code url}
 * ({@code postgresql://user@host:port/db}, query parameters passed to pgjdbc), {@code password} or
 * {@code password_file} (read at every new connection, so a rotated secret applies), the common
 * {@code tls} (mapped to {@code sslmode}, {@code sslrootcert}, {@code sslcert}, {@code sslkey}) and
 * {@code timeout} (connect and socket timeouts). Immutable; {@link #toString()} never shows the password.
 */
final class PostgresSettings {
  static final String DEFAULT_SCHEMA = "clymene";
  static final int DEFAULT_PORT = 5432;
  /** Unquoted PostgreSQL identifiers we accept for {@code schema}: the names need no quoting anywhere. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,54}");

  private final String jdbcUrl;
  private final String display;
  private final String user;
  private final String password;
  private final String passwordFile;
  private final String schema;
  private final Properties properties;

  private PostgresSettings(String jdbcUrl, String display, String user, String password, String passwordFile,
                           String schema, Properties properties) {
    this.jdbcUrl = jdbcUrl;
    this.display = display;
    this.user = user;
    this.password = password;
    this.passwordFile = passwordFile;
    this.schema = schema;
    this.properties = properties;
  }

  /**
   * Reads and checks an entry's keys.
   *
   * @throws ConfigException naming the key when a value is wrong
   */
  static PostgresSettings from(StorageEntry entry) {
    JsonObject c = entry.config();
    String url = c.getString("url");
    String at = entry.path() + ".url";
    if (url == null) {
      throw new ConfigException(null, at, "missing; a postgresql writer needs postgresql://user@host:port/database");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException(null, at, "expected postgresql://user@host:port/database, got '" + url + "'");
    }
    if (!("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new ConfigException(null, at, "expected postgresql://user@host:port/database, got '" + url + "'");
    }
    String userInfo = uri.getUserInfo();
    if (userInfo == null || userInfo.isEmpty()) {
      throw new ConfigException(null, at, "names no user; expected postgresql://user@host:port/database");
    }
    if (userInfo.contains(":")) {
      throw new ConfigException(null, at, "holds a password; put it in password or password_file instead");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    if (database.isEmpty()) {
      database = userInfo; // as libpq: the database defaults to the user's name
    } else if (database.contains("/")) {
      throw new ConfigException(null, at, "expected one database name after the port, got '" + path + "'");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
    String host = uri.getHost();
    String password = c.getString("password");
    String passwordFile = c.getString("password_file");
    if (password != null && passwordFile != null) {
      throw new ConfigException(null, entry.path() + ".password_file",
          "set either password or password_file, not both");
    }
    String schema = c.getString("schema", DEFAULT_SCHEMA);
    if (!IDENTIFIER.matcher(schema).matches()) {
      throw new ConfigException(null, entry.path() + ".schema",
          "expected a lower-case identifier (a-z, 0-9, _; at most 55 characters), got '" + schema + "'");
    }
    String hostPort = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    String dbPath = "/" + encodePath(database);
    Properties p = new Properties();
    p.setProperty("ApplicationName", "clymene");
    int timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, entry.http().timeout().toSeconds()));
    p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    p.setProperty("socketTimeout", Integer.toString(timeoutSeconds));
    p.setProperty("tcpKeepAlive", "true");
    applyTls(c.getJsonObject("tls"), p);
    return new PostgresSettings("jdbc:postgresql://" + hostPort + dbPath + query,
        "postgresql://" + userInfo + "@" + hostPort + dbPath, userInfo, password, passwordFile, schema, p);
  }

  /**
   * The common {@code tls} section as pgjdbc properties: verify-full against {@code ca_file} (or the JVM's
   * trust store without one), a client certificate from {@code cert_file}/{@code key_file} (pgjdbc reads
   * PKCS-8 DER {@code .pk8} or PKCS-12 {@code .p12} keys), encryption without checks for
   * {@code insecure_skip_verify}.
   */
  static void applyTls(JsonObject tls, Properties p) {
    if (tls == null) {
      return;
    }
    p.setProperty("ssl", "true");
    if (tls.getBoolean("insecure_skip_verify", false)) {
      p.setProperty("sslmode", "require");
      p.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
    } else {
      p.setProperty("sslmode", "verify-full");
      if (tls.containsKey("ca_file")) {
        p.setProperty("sslrootcert", tls.getString("ca_file"));
      } else {
        p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
      }
    }
    if (tls.containsKey("cert_file")) {
      p.setProperty("sslcert", tls.getString("cert_file"));
    }
    if (tls.containsKey("key_file")) {
      p.setProperty("sslkey", tls.getString("key_file"));
    }
  }

  private static String encodePath(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-' || c == '.') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  String jdbcUrl() {
    return jdbcUrl;
  }

  /** The schema the tables live in. */
  String schema() {
    return schema;
  }

  String user() {
    return user;
  }

  /**
   * The properties of a new connection, with the password (read from {@code password_file} now).
   *
   * @throws IOException when the password file cannot be read
   */
  Properties connectionProperties() throws IOException {
    Properties p = new Properties();
    p.putAll(properties);
    p.setProperty("user", user);
    String pw = password != null ? password
        : passwordFile != null ? Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).trim() : null;
    if (pw != null) {
      p.setProperty("password", pw);
    }
    return p;
  }

  /** The driver properties other than credentials (for tests and logs). */
  Properties publicProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    return p;
  }

  @Override
  public String toString() {
    return display + " schema " + schema + (password != null ? " (password set)"
        : passwordFile != null ? " (password from " + passwordFile + ")" : "")
        + (properties.containsKey("sslmode") ? " sslmode " + properties.getProperty("sslmode") : "");
  }
}
