package io.clymene.deploy;

import io.clymene.cli.Main;
import io.clymene.config.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs what a deployed container would run through {@code check-config}: its command line (role,
 * {@code --config}), its environment and the files mounted into it. The Clymene config and, for scraping
 * roles, the scrape config it names are copied out of the container's file view into a temporary
 * directory (at their container paths) and loaded by our real loader ({@link Main}), so every key and
 * value is checked as at start.
 */
final class ConfigCheck {
  /** The image's working directory: relative paths in the container start there. */
  static final String WORKDIR = "/opt/clymene";

  private ConfigCheck() {
  }

  /**
   * Checks one container; adds a problem (naming {@code where}) when it would not start.
   *
   * @param where the container, for messages
   * @param args the container's arguments (after the entrypoint {@code scripts/clymene})
   * @param env its environment
   * @param files the content of a file at an absolute path in the container, or null
   * @param tmp a directory for the copies, or null to check only the arguments and mounts
   */
  static void check(String where, List<String> args, Map<String, String> env, Function<String, String> files,
                    Path tmp, List<String> problems) {
    String role = option(args, "--role", "all-in-one");
    if (Role.byId(role) == null) {
      problems.add(where + ": --role: '" + role + "' is not a role (expected one of " + Role.ids() + ")");
      return;
    }
    String configPath = option(args, "--config", null);
    if (configPath == null) {
      problems.add(where + ": no --config argument");
      return;
    }
    String config = files.apply(absolute(configPath));
    if (config == null) {
      problems.add(where + ": --config " + configPath + " is not a file mounted into the container");
      return;
    }
    String scrape = null;
    String scrapePath = null;
    if (Role.byId(role).scrapes()) {
      scrapePath = option(args, "--config.file", env.getOrDefault("CLYMENE_AGENT_CONFIG_FILE",
          scrapeFileOf(config)));
      scrape = files.apply(absolute(scrapePath));
      if (scrape == null) {
        problems.add(where + ": the scrape config " + scrapePath + " (agent.config_file) is not a file mounted into "
            + "the container");
        return;
      }
    }
    if (tmp == null) {
      return;
    }
    List<String> run = new ArrayList<>(List.of("check-config", "--role", role,
        "--config", write(tmp, absolute(configPath), config).toString()));
    if (scrape != null) {
      run.addAll(List.of("--config.file", write(tmp, absolute(scrapePath), scrape).toString()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    main.launch(run.toArray(String[]::new));
    String said = err.toString(StandardCharsets.UTF_8).strip();
    if (main.exitCode() != 0) {
      problems.add(where + ": check-config --role " + role + " fails: " + said);
    } else if (!said.isEmpty()) {
      // a warning means a setting is ignored (e.g. a misspelt CLYMENE_ variable): not what was meant
      problems.add(where + ": check-config --role " + role + " warns: " + said);
    }
  }

  /** The value of {@code --name value} or {@code --name=value} in {@code args}, or {@code otherwise}. */
  static String option(List<String> args, String name, String otherwise) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(name) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
      if (args.get(i).startsWith(name + "=")) {
        return args.get(i).substring(name.length() + 1);
      }
    }
    return otherwise;
  }

  private static String scrapeFileOf(String config) {
    Object agent = Manifests.yamlMap(config).get("agent");
    Object file = agent instanceof Map<?, ?> m ? m.get("config_file") : null;
    return file == null ? WORKDIR + "/conf/prometheus.yml" : file.toString();
  }

  private static String absolute(String path) {
    return path.startsWith("/") ? path : WORKDIR + "/" + path;
  }

  /** Writes {@code text} to the container path {@code path} under {@code dir}, so messages show that path. */
  private static Path write(Path dir, String path, String text) {
    try {
      Path f = dir.resolve(path.substring(1));
      Files.createDirectories(f.getParent());
      return Files.writeString(f, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
