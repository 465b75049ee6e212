package io.clymene.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Signals: SIGHUP reloads the scrape config; SIGTERM and SIGINT stop cleanly, as in Prometheus. */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {
  }

  /** Runs {@code action} (once is enough: it stops the process) on SIGTERM and SIGINT. */
  static void onTerminate(Runnable action) {
    for (String name : new String[]{"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), s -> {
          LOG.info("SIG{}: stopping", name);
          action.run();
        });
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.debug("SIG{} is not available here: {}", name, e.getMessage());
      }
    }
  }

  /** Runs {@code action} on every SIGHUP (where the platform has it). */
  static void onHangup(Runnable action) {
    try {
      Signal.handle(new Signal("HUP"), s -> {
        LOG.info("SIGHUP: reloading the configuration");
        action.run();
      });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.debug("SIGHUP is not available here: {}", e.getMessage());
    }
  }
}
