package io.clymene.cli;

import io.clymene.config.Role;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed command line (see ARCHITECTURE.md, "Command line"): a command, the role, the two config
 * files and {@code --dotted.key=value} overrides in the order given.
 */
public final class CommandLine {
  /** What to do. */
  public enum Command { RUN, CHECK_CONFIG, HELP, VERSION }

  private Command command = Command.RUN;
  private Role role = Role.ALL_IN_ONE;
  private String configPath;
  private String scrapeConfigPath;
  private final Map<String, String> overrides = new LinkedHashMap<>();

  /** A command line that could not be understood. */
  public static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  private CommandLine() {
  }

  /** Parses arguments. */
  public static CommandLine parse(String... args) throws UsageException {
    CommandLine cl = new CommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("check-config") && i == 0) {
        cl.command = Command.CHECK_CONFIG;
        continue;
      }
      if (arg.equals("run") && i == 0) {
        continue;
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        cl.command = Command.HELP;
        return cl;
      }
      if (arg.equals("--version")) {
        cl.command = Command.VERSION;
        return cl;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String key;
      String value;
      int eq = arg.indexOf('=');
      if (eq >= 0) {
        key = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        key = arg.substring(2);
        if (key.equals("cluster")) {
          cl.overrides.put("cluster.enabled", "true");
          continue;
        }
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException("option --" + key + " needs a value (--" + key + "=VALUE or --" + key + " VALUE)");
        }
        value = args[++i];
      }
      if (key.isEmpty()) {
        throw new UsageException("empty option name in '" + arg + "'");
      }
      switch (key) {
        case "role" -> {
          Role r = Role.byId(value);
          if (r == null) {
            throw new UsageException("--role: expected one of " + Role.ids() + ", got '" + value + "'");
          }
          cl.role = r;
        }
        case "config" -> cl.configPath = value;
        case "config.file" -> cl.scrapeConfigPath = value;
        case "cluster" -> cl.overrides.put("cluster.enabled", value);
        default -> cl.overrides.put(key, value);
      }
    }
    return cl;
  }

  public Command command() {
    return command;
  }

  public Role role() {
    return role;
  }

  /** The Clymene YAML file, or null for defaults only. */
  public String configPath() {
    return configPath;
  }

  /** The Prometheus-format file given with {@code --config.file}, or null. */
  public String scrapeConfigPath() {
    return scrapeConfigPath;
  }

  /** {@code --dotted.key=value} overrides, in order. */
  public Map<String, String> overrides() {
    return overrides;
  }

  /** The text of {@code --help}. */
  public static String usage() {
    return String.join("\n",
        "Clymene " + Version.get() + ": time-series collection (agent, gateway, ingester, composite writers)",
        "",
        "Usage:",
        "  clymene [--role all-in-one|agent|gateway|ingester] [--config FILE] [--config.file FILE]",
        "          [--cluster] [--<dotted.key>=VALUE ...]",
        "  clymene check-config [--role ROLE] [--config FILE] [--config.file FILE] [--<dotted.key>=VALUE ...]",
        "  clymene --help | --version",
        "",
        "Options:",
        "  --role ROLE          the role to run (default all-in-one)",
        "  --config FILE        Clymene settings in YAML (default: built-in defaults, see conf/clymene.yaml)",
        "  --config.file FILE   Prometheus-format scrape config (default conf/prometheus.yml)",
        "  --cluster            join a cluster (cluster.enabled=true)",
        "  --KEY=VALUE          set any key of the Clymene YAML, e.g. --admin.port=15700,",
        "                       --storage[0].data_dir=/var/lib/clymene",
        "",
        "Environment: CLYMENE_<KEY PATH IN UPPER SNAKE CASE> sets a key, e.g. CLYMENE_ADMIN_PORT=15700.",
        "Precedence: flag > environment > file > default.",
        "",
        "check-config validates both files and the overrides without starting anything: exit 0 when",
        "valid, 1 with one line naming the file, key and problem otherwise.",
        "");
  }
}
