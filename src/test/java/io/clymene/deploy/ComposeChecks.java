package io.clymene.deploy;

import io.clymene.config.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a Compose file the way {@code docker compose config} would not: every service has an image, Clymene
 * services have a {@code /ready} healthcheck on their admin port and a valid command and config, dependencies
 * name services (with a healthcheck when waited for), published ports are unique and mounted files exist.
 */
final class ComposeChecks {
  private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy",
      "service_completed_successfully");

  private ComposeChecks() {
  }

  /**
   * Every problem of the Compose file {@code file} (parsed as {@code compose}).
   *
   * @param tmp a directory for the config copies, or null to skip loading the Clymene configs
   */
  static List<String> check(Path file, Map<String, Object> compose, Path tmp) {
    List<String> problems = new ArrayList<>();
    String name = file.getFileName().toString();
    Map<String, Object> services = map(compose.get("services"));
    if (services.isEmpty()) {
      problems.add(name + ": services: none");
    }
    Map<String, String> published = new HashMap<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      String at = name + ": services." + e.getKey();
      Map<String, Object> s = map(e.getValue());
      Object image = s.get("image");
      if (image == null || image.toString().isBlank()) {
        problems.add(at + ".image: missing");
      }
      for (Object p : list(s.get("ports"))) {
        String host = p instanceof Map<?, ?> m ? String.valueOf(m.get("published")) : hostPort(p.toString());
        String before = published.put(host, e.getKey());
        if (before != null) {
          problems.add(at + ".ports: host port " + host + " is also published by " + before);
        }
      }
      dependsOn(at, s.get("depends_on"), services, problems);
      Map<String, String> files = new LinkedHashMap<>();
      volumes(at, file.getParent(), s, compose, files, problems);
      if (image != null && image.toString().startsWith("clymene")) {
        clymene(at, s, files, tmp, problems);
      }
    }
    return problems;
  }

  private static void dependsOn(String at, Object deps, Map<String, Object> services, List<String> problems) {
    Map<String, Object> byName = new LinkedHashMap<>();
    if (deps instanceof List<?> l) {
      l.forEach(d -> byName.put(d.toString(), Map.of("condition", "service_started")));
    } else {
      byName.putAll(map(deps));
    }
    byName.forEach((dep, spec) -> {
      Object condition = map(spec).getOrDefault("condition", "service_started");
      if (!services.containsKey(dep)) {
        problems.add(at + ".depends_on." + dep + ": no such service");
      } else if (!CONDITIONS.contains(condition.toString())) {
        problems.add(at + ".depends_on." + dep + ".condition: '" + condition + "' (expected one of "
            + CONDITIONS + ")");
      } else if (condition.equals("service_healthy") && map(services.get(dep)).get("healthcheck") == null) {
        problems.add(at + ".depends_on." + dep + ": waits for service_healthy but " + dep + " has no healthcheck");
      }
    });
  }

  /** Bind mounts must exist (their content goes into {@code files}); named volumes must be declared. */
  private static void volumes(String at, Path dir, Map<String, Object> s, Map<String, Object> compose,
                              Map<String, String> files, List<String> problems) {
    List<Object> volumes = list(s.get("volumes"));
    for (int i = 0; i < volumes.size(); i++) {
      String[] parts = volumes.get(i).toString().split(":");
      if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
        Path host = dir.resolve(parts[0]).normalize();
        if (!Files.isRegularFile(host) && !Files.isDirectory(host)) {
          problems.add(at + ".volumes[" + i + "]: " + parts[0] + " does not exist (next to " + dir + ")");
        } else if (Files.isRegularFile(host) && parts.length > 1) {
          files.put(parts[1], Manifests.read(host));
        }
      } else if (!map(compose.get("volumes")).containsKey(parts[0])) {
        problems.add(at + ".volumes[" + i + "]: named volume " + parts[0] + " is not declared under volumes");
      }
    }
  }

  private static void clymene(String at, Map<String, Object> s, Map<String, String> files, Path tmp,
                              List<String> problems) {
    Object command = s.get("command");
    List<String> args = command instanceof List<?> l ? l.stream().map(Object::toString).toList()
        : command == null ? List.of() : List.of(command.toString().trim().split("\\s+"));
    Role role = Role.byId(ConfigCheck.option(args, "--role", "all-in-one"));
    String config = files.get(ConfigCheck.option(args, "--config", ""));
    Object admin = config == null ? null : map(Manifests.yamlMap(config).get("admin")).get("port");
    String port = admin != null ? admin.toString() : role != null ? Integer.toString(role.defaultAdminPort()) : "?";
    String test = String.valueOf(map(s.get("healthcheck")).get("test"));
    if (!test.contains("/ready") || !test.contains(port)) {
      problems.add(at + ".healthcheck.test: expected a check of /ready on the admin port " + port + ", got " + test);
    }
    ConfigCheck.check(at, args, environment(s.get("environment")), files::get, tmp, problems);
  }

  private static Map<String, String> environment(Object env) {
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof List<?> l) {
      l.forEach(x -> {
        String[] kv = x.toString().split("=", 2);
        out.put(kv[0], kv.length > 1 ? kv[1] : "");
      });
    } else {
      map(env).forEach((k, v) -> out.put(k, v == null ? "" : v.toString()));
    }
    return out;
  }

  /** The host side of a short port mapping ({@code [ip:]host:container[/proto]}), or the port itself. */
  private static String hostPort(String mapping) {
    String[] parts = mapping.split(":");
    return parts.length >= 2 ? parts[parts.length - 2] : parts[0];
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
