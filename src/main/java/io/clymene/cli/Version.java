package io.clymene.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The Clymene version, from the build. */
public final class Version {
  private static final String VERSION = read();

  private Version() {
  }

  /** The version, e.g. {@code 0.1.0}; "unknown" when run outside a build. */
  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = Version.class.getResourceAsStream("/io/clymene/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
