package io.clymene.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real ClickHouse server (Debian {@code clickhouse-server}, 18.16 here) for tests and benchmarks: the
 * packaged {@code /etc/clickhouse-server/config.xml} and {@code users.xml} copied into a temp directory with
 * every port free (HTTP = {@link ExternalServer#port()}, native TCP and interserver HTTP, whose defaults 9000
 * and 9009 are the embedded QuestDB's), data and logs in that directory, listening on 127.0.0.1 only (no
 * {@code ::1}), plus a user {@link #USER} with password {@link #PASSWORD}. Ready when {@code /ping} answers.
 *
 * <p>{@code main} starts one for a benchmark and prints {@code clickhouse http port N}; it stops when its
 * standard input closes or the JVM is terminated.
 */
public final class ClickHouseServer {
  /** A user of the copied users.xml, allowed from 127.0.0.1, for authentication tests. */
  public static final String USER = "clymene";
  public static final String PASSWORD = "clymene-secret";
  private static final Path ETC = Path.of("/etc/clickhouse-server");
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ClickHouseServer() {
  }

  /** Starts a server in a new temp directory; close it to stop it and delete the directory. */
  public static ExternalServer start() throws IOException {
    ExternalServer.requireBinary("clickhouse-server", "clickhouse-server");
    return ExternalServer.builder("clickhouse", "clickhouse-server", "clickhouse-server").ports(3)
        .file("config.xml", config(Files.readString(ETC.resolve("config.xml"))))
        .file("users.xml", users(Files.readString(ETC.resolve("users.xml"))))
        .args("--config-file={dir}/config.xml")
        .readyHttp("/ping", 200)
        .startTimeout(Duration.ofSeconds(60))
        .start();
  }

  /** The packaged config with placeholders for ports and paths ({@link ExternalServer.Builder#file}). */
  static String config(String packaged) {
    String c = packaged.replaceAll("(?s)<!--.*?-->", "");
    c = set(c, "log", "[^<]*", "{dir}/log/clickhouse-server.log");
    c = set(c, "errorlog", "[^<]*", "{dir}/log/clickhouse-server.err.log");
    c = set(c, "http_port", "\\d+", "{port}");
    c = set(c, "tcp_port", "\\d+", "{port1}");
    c = set(c, "interserver_http_port", "\\d+", "{port2}");
    c = set(c, "path", "/var/lib/clickhouse/", "{dir}/data/");
    c = set(c, "tmp_path", "[^<]*", "{dir}/data/tmp/");
    c = set(c, "user_files_path", "[^<]*", "{dir}/data/user_files/");
    c = set(c, "format_schema_path", "[^<]*", "{dir}/data/format_schemas/");
    if (c.contains("<listen_host>")) {
      throw new IllegalStateException("the packaged config.xml sets listen_host; expected it commented out");
    }
    return c.replace("</yandex>", "    <listen_host>127.0.0.1</listen_host>\n</yandex>");
  }

  /** The packaged users.xml with {@link #USER} added. */
  static String users(String packaged) {
    String user = "        <" + USER + ">\n            <password>" + PASSWORD + "</password>\n"
        + "            <networks><ip>127.0.0.1</ip></networks>\n"
        + "            <profile>default</profile>\n            <quota>default</quota>\n        </" + USER + ">\n";
    if (!packaged.contains("</users>")) {
      throw new IllegalStateException("the packaged users.xml has no <users> section");
    }
    return packaged.replace("</users>", user + "    </users>");
  }

  /** Replaces the one element {@code <tag>old</tag>} whose text matches {@code old}. */
  private static String set(String config, String tag, String old, String value) {
    Matcher m = Pattern.compile("<" + tag + ">" + old + "</" + tag + ">").matcher(config);
    if (!m.find()) {
      throw new IllegalStateException("the packaged config.xml has no <" + tag + "> matching " + old);
    }
    int start = m.start();
    int end = m.end();
    if (m.find()) {
      throw new IllegalStateException("the packaged config.xml has more than one <" + tag + "> matching " + old);
    }
    return config.substring(0, start) + "<" + tag + ">" + Matcher.quoteReplacement(value) + "</" + tag + ">"
        + config.substring(end);
  }

  /** Runs a statement as the default user; returns the answer's text, trimmed; fails unless 200. */
  public static String query(ExternalServer server, String sql) {
    return new String(queryBytes(server, sql), StandardCharsets.UTF_8).trim();
  }

  /** Runs a statement as the default user; returns the raw answer (e.g. FORMAT RowBinary); fails unless 200. */
  public static byte[] queryBytes(ExternalServer server, String sql) {
    try {
      HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/?query="
              + URLEncoder.encode(sql, StandardCharsets.UTF_8).replace("+", "%20")))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new AssertionError("clickhouse answered " + r.statusCode() + " to " + sql + ": "
            + new String(r.body(), StandardCharsets.UTF_8));
      }
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("clickhouse query failed: " + sql + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Starts a server for a benchmark; prints its HTTP port; stops when stdin closes. */
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    ExternalServer server = start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("clickhouse http port " + server.port() + " started in "
        + (System.nanoTime() - t0) / 1_000_000 + " ms, dir " + server.dir());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until EOF
    }
    System.exit(0);
  }
}
