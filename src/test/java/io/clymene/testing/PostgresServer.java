package io.clymene.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 (Debian package {@code postgresql}) for tests and benchmarks, on
 * {@link ExternalServer}: {@code initdb} into its temp dir (trust authentication, superuser
 * {@code postgres}, UTF8), then {@code postgres} in the foreground on 127.0.0.1 and a free port with
 * {@code fsync=off}, stopped with SIGINT (fast shutdown: SIGTERM would wait for the writer's connections).
 * PostgreSQL refuses to run as root, so under root (as the tests run here) the directory is chowned to
 * postgres, {@code initdb} runs through {@code runuser -u postgres} and the server through {@code setpriv}
 * (which execs, so the PID ExternalServer signals is the postmaster's). {@link #stop} and {@link #start}
 * keep port and data, for outage tests; start returns once a JDBC connection succeeds.
 *
 * <p>{@code main} starts one for a benchmark, prints {@code port N}, and stops it when stdin closes.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String BIN = "/usr/lib/postgresql/15/bin";
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final ExternalServer server;

  private PostgresServer(ExternalServer server) {
    this.server = server;
  }

  /** Initializes a cluster in a temp dir and starts it; fails naming the package when PostgreSQL is missing. */
  public static PostgresServer launch() throws IOException {
    ExternalServer.requireBinary(BIN + "/initdb", "postgresql");
    List<String> args = new ArrayList<>();
    if (ROOT) {
      args.addAll(List.of("--reuid=postgres", "--regid=postgres", "--init-groups", "--", BIN + "/postgres"));
    }
    args.addAll(List.of("-D", "{dir}/data", "-p", "{port}", "-c", "listen_addresses=127.0.0.1", "-k", "{dir}",
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
    ExternalServer s = ExternalServer.builder("postgresql", ROOT ? "setpriv" : BIN + "/postgres", "postgresql")
        .setup(PostgresServer::initdb)
        .args(args.toArray(String[]::new))
        .readyTcp()
        .stopSignal("INT")
        .start();
    PostgresServer pg = new PostgresServer(s);
    try {
      pg.awaitConnections();
    } catch (AssertionError e) {
      s.close();
      throw e;
    }
    return pg;
  }

  private static void initdb(Path dir) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (ROOT) {
      run(dir, List.of("chown", "postgres:postgres", dir.toString()));
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(List.of(BIN + "/initdb", "-A", "trust", "--no-sync", "-U", "postgres", "-E", "UTF8", "--locale=C",
        "-D", dir.resolve("data").toString()));
    run(dir, cmd);
  }

  private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Path out = dir.resolve("initdb.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " failed: " + Files.readString(out));
    }
  }

  /** TCP is open before recovery ends ("the database system is starting up"): wait for a real session. */
  private void awaitConnections() {
    Await.until(this + " to accept connections", Duration.ofSeconds(30), () -> {
      try (Connection c = connect()) {
        return Boolean.TRUE;
      } catch (SQLException e) {
        return null;
      }
    });
  }

  /** Starts the stopped server again with the same port and data; returns when it accepts connections. */
  public void start() throws IOException {
    server.start();
    awaitConnections();
  }

  /** Fast shutdown (SIGINT; SIGKILL after 10 s); waits for the exit. */
  public void stop() {
    server.stop();
  }

  /** The process under ExternalServer (for PID, log and the lead's helpers that take an ExternalServer). */
  public ExternalServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  /** The postgresql writer's {@code url} for a user and database. */
  public String url(String user, String database) {
    return "postgresql://" + user + "@127.0.0.1:" + port() + "/" + database;
  }

  /** A JDBC connection as the superuser to database {@code postgres}. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/postgres", "postgres", "");
  }

  /** Rows in {@code <schema>.samples}, or -1 while the table does not exist. */
  public long sampleCount(String schema) {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + schema + ".samples') IS NULL")) {
        if (rs.next() && rs.getBoolean(1)) {
          return -1;
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".samples")) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new AssertionError("counting " + schema + ".samples: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "postgresql on " + port();
  }

  /** Starts a server for a benchmark; prints {@code port N}; stops it when stdin reaches its end. */
  public static void main(String[] args) throws Exception {
    try (PostgresServer s = launch()) {
      System.out.println("port " + s.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for stdin to close
      }
    }
  }
}
