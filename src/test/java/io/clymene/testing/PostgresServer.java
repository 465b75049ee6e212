package io.clymene.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 (Debian package {@code postgresql}) for tests and benchmarks: {@code initdb} into a
 * temp dir (trust authentication, superuser {@code postgres}), then {@code postgres} in the foreground on
 * 127.0.0.1 and a free port with {@code fsync=off}, stopped by PID with SIGINT (fast shutdown: SIGTERM
 * would wait for the writer's connections). PostgreSQL refuses to run as root, so under root (as the
 * tests run here) {@code initdb} runs through {@code runuser -u postgres} and the server through
 * {@code setpriv} (which execs, so the PID is the postmaster's) in a directory chowned to postgres.
 * {@link #stop} and {@link #start} keep port and data, for outage tests.
 *
 * <p>{@code main} starts one for a benchmark, prints {@code port N}, and stops it when stdin closes.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String BIN = "/usr/lib/postgresql/15/bin";
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path dir;
  private final Path log;
  private final int port;
  private volatile Process process;

  private PostgresServer(Path dir, int port) {
    this.dir = dir;
    this.log = dir.resolve("postgres.log");
    this.port = port;
  }

  /** Initializes a cluster in a temp dir and starts it; fails naming the package when PostgreSQL is missing. */
  public static PostgresServer launch() throws IOException {
    for (String tool : List.of("postgres", "initdb")) {
      if (!Files.isExecutable(Path.of(BIN, tool))) {
        throw new AssertionError("'" + BIN + "/" + tool + "' is not installed: install the Debian package "
            + "'postgresql' (scripts/test installs it)");
      }
    }
    Path dir = Files.createTempDirectory("clymene-postgresql-");
    PostgresServer server = new PostgresServer(dir, Ports.free());
    try {
      if (ROOT) {
        server.run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      server.run(asPostgres(List.of("runuser", "-u", "postgres", "--"), BIN + "/initdb", "-A", "trust", "--no-sync",
          "-U", "postgres", "-E", "UTF8", "--locale=C", "-D", dir.resolve("data").toString()));
      server.start();
    } catch (IOException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static List<String> asPostgres(List<String> wrapper, String... command) {
    List<String> cmd = new ArrayList<>(ROOT ? wrapper : List.of());
    cmd.addAll(List.of(command));
    return cmd;
  }

  private void run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " failed: " + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Starts the server (again) with the same port and data; waits until it accepts connections. */
  public void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(this + " is running");
    }
    List<String> cmd = asPostgres(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"),
        BIN + "/postgres", "-D", dir.resolve("data").toString(), "-p", Integer.toString(port),
        "-c", "listen_addresses=127.0.0.1", "-k", dir.toString(), "-c", "fsync=off",
        "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    process = p;
    Await.until("postgresql on port " + port + " to accept connections", Duration.ofSeconds(30), () -> {
      if (!p.isAlive()) {
        throw new AssertionError("postgresql exited: " + logTail());
      }
      try (Connection c = connect()) {
        return Boolean.TRUE;
      } catch (SQLException e) {
        return null;
      }
    });
  }

  /** Fast shutdown (SIGINT; SIGKILL after 10 s); waits for the exit. Data and port stay. */
  public void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return port;
  }

  /** The writer's {@code url} for a user and database. */
  public String url(String user, String database) {
    return "postgresql://" + user + "@127.0.0.1:" + port + "/" + database;
  }

  /** A JDBC connection as the superuser to database {@code postgres}. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
  }

  /** The last lines of the server's log. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
    TempDirs.delete(dir);
  }

  @Override
  public String toString() {
    return "postgresql on " + port;
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
