package io.clymene.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Clymene started as a separate process through the project's scripts (scripts/run, scripts/clymene). */
public final class ClymeneProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ClymeneProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code script} (relative to the project root) with arguments, logging to {@code log}. */
  public static ClymeneProcess start(String script, Path log, String... args) throws IOException {
    return start(List.of(), script, log, args);
  }

  /**
   * Starts {@code script} under a command prefix (e.g. {@code ip netns exec NAME}, which replaces itself by the
   * script, so signals still reach Clymene).
   */
  public static ClymeneProcess start(List<String> prefix, String script, Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(script).toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    String jar = System.getProperty("clymene.jar");
    if (jar != null) {
      pb.environment().put("CLYMENE_JAR", jar);
    }
    return new ClymeneProcess(pb.start(), log);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal by name (INT, TERM, HUP, KILL). */
  public void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  /** Waits for the process to end; returns how long it took, or null if it did not end in time. */
  public Duration awaitExit(Duration timeout) throws InterruptedException {
    long t0 = System.nanoTime();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return null;
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Like {@link Await#until}, adding the end of this process's log to a failure. */
  public <T> T await(String what, Duration timeout, java.util.function.Supplier<T> probe) {
    try {
      return Await.until(what, timeout, probe);
    } catch (AssertionError e) {
      String log = log();
      throw new AssertionError(e.getMessage() + "\n--- clymene log (end) ---\n"
          + log.substring(Math.max(0, log.length() - 4000)), e);
    }
  }

  /** The process's output so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
