package io.clymene.cli;

import io.clymene.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: {@code java -jar clymene.jar [check-config] [options]}. Configuration problems print
 * one line naming the file (or flag, or variable), the key and what was expected, and exit with 1.
 */
public final class Main {
  /** How long a stop (SIGTERM, Ctrl-C) may take before the JVM exits anyway. */
  static final Duration STOP_DEADLINE = Duration.ofMillis(4500);

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  public Main(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public static void main(String[] args) {
    Main main = new Main(System.out, System.err, System.getenv());
    Launcher launcher = main.launch(args);
    if (launcher == null) {
      System.exit(main.lastExitCode);
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      log.info("stopping");
      try {
        await(launcher.stop(STOP_DEADLINE));
        log.info("stopped");
      } catch (Exception e) {
        log.warn("stop did not finish cleanly: {}", e.getMessage());
      }
    };
    // the hook covers every other way out; SIGTERM and SIGINT stop cleanly and exit 0, as Prometheus does
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "clymene-shutdown"));
    Signals.onTerminate(() -> new Thread(() -> {
      stop.run();
      System.exit(0);
    }, "clymene-stop").start());
    Signals.onHangup(() -> launcher.reload().onFailure(e -> { }));
  }

  private int lastExitCode;

  /**
   * Runs a command. For {@code run}, returns the started process (or null with {@link #exitCode()}
   * set when it could not start); the other commands return null after printing.
   */
  public Launcher launch(String... args) {
    CommandLine cl;
    try {
      cl = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      err.println("clymene: " + e.getMessage());
      err.println("Try 'clymene --help'.");
      lastExitCode = 1;
      return null;
    }
    switch (cl.command()) {
      case HELP -> {
        out.print(CommandLine.usage());
        lastExitCode = 0;
        return null;
      }
      case VERSION -> {
        out.println("clymene " + Version.get());
        lastExitCode = 0;
        return null;
      }
      case CHECK_CONFIG -> {
        lastExitCode = checkConfig(cl);
        return null;
      }
      default -> {
        Launcher launcher = Launcher.create(cl);
        try {
          return await(launcher.start(env));
        } catch (Exception e) {
          try {
            await(launcher.stop(STOP_DEADLINE));
          } catch (Exception stopFailure) {
            // the start error is what matters
          }
          Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof ConfigException) {
            err.println("clymene: config error: " + cause.getMessage());
          } else {
            err.println("clymene: could not start: " + cause);
          }
          lastExitCode = 1;
          return null;
        }
      }
    }
  }

  /** The exit code of the last command that did not leave a process running. */
  public int exitCode() {
    return lastExitCode;
  }

  private int checkConfig(CommandLine cl) {
    Vertx vertx = Vertx.vertx();
    try {
      Configuration c = await(Configuration.load(vertx, cl, env, io.clymene.storage.StorageProviders.load()));
      c.warnings().forEach(w -> err.println("clymene: warning: " + w));
      out.println("configuration is valid: " + (c.options().source()) + (c.scrape() != null
          ? ", " + c.scrape().file() + " (" + c.scrape().scrapeConfigs().size() + " scrape config(s))" : "")
          + ", " + c.storage().size() + " writer(s)");
      return 0;
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println("clymene: config error: " + cause.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }

  static <T> T await(Future<T> future) throws ExecutionException, InterruptedException {
    CompletableFuture<T> cf = future.toCompletionStage().toCompletableFuture();
    return cf.get();
  }
}
