package io.clymene.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGHUP handling: reload the scrape config, as Prometheus does. */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {
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
