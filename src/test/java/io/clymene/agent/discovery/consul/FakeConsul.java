package io.clymene.agent.discovery.consul;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of Consul's HTTP API that service discovery reads, served as Consul documents them
 * (developer.hashicorp.com/consul/api-docs): {@code /v1/agent/self}, {@code /v1/catalog/services} and
 * {@code /v1/health/service/:service}, with blocking queries ({@code index} and {@code wait}, answered
 * when the index moves past the one asked for or the wait runs out, with {@code X-Consul-Index}), the
 * {@code dc}, {@code tag} and {@code node-meta} filters, and ACL tokens in {@code X-Consul-Token}. Every
 * change bumps one Raft-like index, as in Consul. Consul itself cannot run on the test machine.
 */
final class FakeConsul {
  private static final Pattern WAIT = Pattern.compile("(\\d+)(ms|s|m)");

  /** One request as received: path, decoded parameters, headers. */
  record Request(String path, String uri, MultiMap params, MultiMap headers) {
  }

  private final Vertx vertx;
  private final String localDc;
  private final List<String> datacenters;
  private final String prefix;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  /** service -> instance id -> health entry, in registration order. */
  private final Map<String, Map<String, JsonObject>> services = new TreeMap<>();
  private final Map<String, Long> serviceIndex = new LinkedHashMap<>();
  private final Map<String, String> brokenBodies = new LinkedHashMap<>();
  private long index = 10;
  private long catalogIndex = 10;
  private volatile String requiredToken;
  private HttpServer server;

  private record Waiter(HttpServerRequest request, long after, LongSupplier current, Supplier<Object> body,
                        long timer) {
  }

  /**
   * @param vertx where the server runs
   * @param localDc the agent's datacenter
   * @param datacenters every datacenter the agent can reach (answers are the same in all of them)
   * @param prefix a path prefix, as a reverse proxy in front of Consul adds ("" for none)
   */
  FakeConsul(Vertx vertx, String localDc, List<String> datacenters, String prefix) {
    this.vertx = vertx;
    this.localDc = localDc;
    this.datacenters = datacenters;
    this.prefix = prefix;
  }

  /** Listens on loopback; port 0 picks a free one. */
  FakeConsul start(int port) throws Exception {
    return start(port, new HttpServerOptions());
  }

  /** Listens on loopback with these options (TLS, for one). */
  FakeConsul start(int port, HttpServerOptions options) throws Exception {
    server = vertx.createHttpServer(options).requestHandler(this::handle)
        .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    return this;
  }

  /** Stops listening and drops every connection, as a Consul agent that went away. */
  void stop() throws Exception {
    synchronized (this) {
      for (Waiter w : waiters) {
        vertx.cancelTimer(w.timer);
      }
      waiters.clear();
    }
    server.close().toCompletionStage().toCompletableFuture().get();
  }

  int port() {
    return server.actualPort();
  }

  /** Requests without this token are refused with 403, as Consul with ACLs enabled. */
  void requireToken(String token) {
    requiredToken = token;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests to a path (without prefix and query). */
  List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Registers or replaces a service instance (a health entry: Node, Service, Checks). */
  synchronized void register(JsonObject entry) {
    String service = entry.getJsonObject("Service").getString("Service");
    String id = entry.getJsonObject("Service").getString("ID");
    boolean newService = !services.containsKey(service);
    Map<String, JsonObject> instances = services.computeIfAbsent(service, k -> new LinkedHashMap<>());
    JsonObject old = instances.put(id, entry.copy());
    index++;
    serviceIndex.put(service, index);
    // the catalog's list moves with new services and changed tags
    if (newService || old == null || !old.getJsonObject("Service").getValue("Tags")
        .equals(entry.getJsonObject("Service").getValue("Tags"))) {
      catalogIndex = index;
    }
    wake();
  }

  /** Removes an instance; the service leaves the catalog with its last instance. */
  synchronized void deregister(String service, String id) {
    Map<String, JsonObject> instances = services.get(service);
    instances.remove(id);
    index++;
    serviceIndex.put(service, index);
    if (instances.isEmpty()) {
      services.remove(service);
    }
    catalogIndex = index;
    wake();
  }

  /** Makes the health endpoint of a service answer this body (null: the real answer again). */
  synchronized void breakHealth(String service, String body) {
    if (body == null) {
      brokenBodies.remove(service);
    } else {
      brokenBodies.put(service, body);
    }
    index++;
    serviceIndex.put(service, index);
    wake();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    requests.add(new Request(path.startsWith(prefix) ? path.substring(prefix.length()) : path, req.uri(),
        MultiMap.caseInsensitiveMultiMap().addAll(req.params()), MultiMap.caseInsensitiveMultiMap()
        .addAll(req.headers())));
    if (!path.startsWith(prefix + "/v1/")) {
      req.response().setStatusCode(404).end();
      return;
    }
    path = path.substring(prefix.length());
    String token = requiredToken;
    if (token != null && !token.equals(req.getHeader("X-Consul-Token"))) {
      req.response().setStatusCode(403).end("ACL not found");
      return;
    }
    String dc = req.getParam("dc");
    if (dc != null && !datacenters.contains(dc)) {
      req.response().setStatusCode(500).end("No path to datacenter");
      return;
    }
    if (path.equals("/v1/agent/self")) {
      req.response().putHeader("Content-Type", "application/json").end(agentSelf().encodePrettily());
    } else if (path.equals("/v1/catalog/services")) {
      List<String> nodeMeta = req.params().getAll("node-meta");
      blocking(req, () -> catalogIndex, () -> catalog(nodeMeta));
    } else if (path.startsWith("/v1/health/service/")) {
      String service = path.substring("/v1/health/service/".length());
      List<String> tags = req.params().getAll("tag");
      List<String> nodeMeta = req.params().getAll("node-meta");
      boolean passing = req.params().contains("passing");
      blocking(req, () -> serviceIndex.getOrDefault(service, catalogIndex),
          () -> brokenBodies.containsKey(service) ? brokenBodies.get(service)
              : health(service, tags, nodeMeta, passing));
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private synchronized void blocking(HttpServerRequest req, LongSupplier current, Supplier<Object> body) {
    long after = req.getParam("index") == null ? 0 : Long.parseLong(req.getParam("index"));
    long waitMs = 5 * 60_000;
    if (req.getParam("wait") != null) {
      Matcher m = WAIT.matcher(req.getParam("wait"));
      if (!m.matches()) {
        req.response().setStatusCode(400).end("Invalid wait time");
        return;
      }
      long n = Long.parseLong(m.group(1));
      waitMs = switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        default -> n * 60_000;
      };
    }
    if (after == 0 || current.getAsLong() != after) {
      answer(req, current.getAsLong(), body.get());
      return;
    }
    long[] timer = new long[1];
    timer[0] = vertx.setTimer(Math.max(1, waitMs), id -> {
      synchronized (this) {
        waiters.removeIf(w -> w.timer() == timer[0]);
        answer(req, current.getAsLong(), body.get());
      }
    });
    waiters.add(new Waiter(req, after, current, body, timer[0]));
  }

  private void wake() {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.current().getAsLong() != w.after()) {
        it.remove();
        vertx.cancelTimer(w.timer());
        answer(w.request(), w.current().getAsLong(), w.body().get());
      }
    }
  }

  private static void answer(HttpServerRequest req, long index, Object body) {
    if (req.response().ended() || req.response().closed()) {
      return;
    }
    req.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Consul-Index", Long.toString(index))
        .putHeader("X-Consul-KnownLeader", "true")
        .putHeader("X-Consul-LastContact", "0")
        .end(String.valueOf(body));
  }

  private JsonObject agentSelf() {
    return new JsonObject()
        .put("Config", new JsonObject().put("Datacenter", localDc).put("NodeName", "consul-server-1")
            .put("NodeID", "9d754d17-d864-b1d3-e758-f3fe25a9874f").put("Revision", "3c1c22679")
            .put("Server", true).put("Version", "1.14.4"))
        .put("Member", new JsonObject().put("Name", "consul-server-1").put("Addr", "10.1.10.12")
            .put("Port", 8301));
  }

  private JsonObject catalog(List<String> nodeMeta) {
    JsonObject out = new JsonObject();
    services.forEach((name, instances) -> {
      List<String> tags = new ArrayList<>();
      boolean any = false;
      for (JsonObject e : instances.values()) {
        if (!nodeMatches(e, nodeMeta)) {
          continue;
        }
        any = true;
        e.getJsonObject("Service").getJsonArray("Tags", new JsonArray()).forEach(t -> {
          if (!tags.contains((String) t)) {
            tags.add((String) t);
          }
        });
      }
      if (any) {
        out.put(name, new JsonArray(tags));
      }
    });
    return out;
  }

  private JsonArray health(String service, List<String> tags, List<String> nodeMeta, boolean passing) {
    JsonArray out = new JsonArray();
    for (JsonObject e : services.getOrDefault(service, Map.of()).values()) {
      List<?> have = e.getJsonObject("Service").getJsonArray("Tags", new JsonArray()).getList();
      if (!have.containsAll(tags) || !nodeMatches(e, nodeMeta)) {
        continue;
      }
      if (passing && e.getJsonArray("Checks").stream()
          .anyMatch(c -> !"passing".equals(((JsonObject) c).getString("Status")))) {
        continue;
      }
      out.add(e.copy());
    }
    return out;
  }

  private static boolean nodeMatches(JsonObject entry, List<String> nodeMeta) {
    JsonObject meta = entry.getJsonObject("Node").getJsonObject("Meta", new JsonObject());
    for (String kv : nodeMeta) {
      String[] p = kv.split(":", 2);
      if (!p[1].equals(meta.getString(p[0]))) {
        return false;
      }
    }
    return true;
  }

  /** A health entry as {@code /v1/health/service/:service} lists it. */
  static JsonObject entry(String node, String nodeAddress, JsonObject nodeMeta, String service, String id,
                          String serviceAddress, int port, List<String> tags, JsonObject serviceMeta,
                          String... checkStatuses) {
    JsonArray checks = new JsonArray().add(new JsonObject().put("Node", node).put("CheckID", "serfHealth")
        .put("Name", "Serf Health Status").put("Status", "passing").put("Notes", "")
        .put("Output", "Agent alive and reachable")
        .put("ServiceID", "").put("ServiceName", "").put("ServiceTags", new JsonArray()).put("Type", "")
        .put("Namespace", "default").put("CreateIndex", 5).put("ModifyIndex", 5));
    for (String status : checkStatuses) {
      String checkId = status.equals("maintenance") ? "_service_maintenance:" + id : "service:" + id;
      checks.add(new JsonObject().put("Node", node).put("CheckID", checkId)
          .put("Name", "Service '" + service + "' check")
          .put("Status", status.equals("maintenance") ? "critical" : status)
          .put("Notes", "").put("Output", "").put("ServiceID", id).put("ServiceName", service)
          .put("ServiceTags", new JsonArray(tags)).put("Type", "http").put("Namespace", "default")
          .put("CreateIndex", 7).put("ModifyIndex", 7));
    }
    return new JsonObject()
        .put("Node", new JsonObject()
            .put("ID", "40e4a748-2192-161a-0510-9bf59fe950b5").put("Node", node).put("Address", nodeAddress)
            .put("Datacenter", "dc1")
            .put("TaggedAddresses", new JsonObject().put("lan", nodeAddress).put("lan_ipv4", nodeAddress)
                .put("wan", nodeAddress).put("wan_ipv4", nodeAddress))
            .put("Meta", nodeMeta).put("CreateIndex", 5).put("ModifyIndex", 5))
        .put("Service", new JsonObject()
            .put("ID", id).put("Service", service).put("Tags", new JsonArray(tags))
            .put("Address", serviceAddress)
            .put("TaggedAddresses", new JsonObject()).put("Meta", serviceMeta).put("Port", port)
            .put("Weights", new JsonObject().put("Passing", 1).put("Warning", 1))
            .put("EnableTagOverride", false).put("Proxy", new JsonObject().put("Mode", "").put("MeshGateway",
                new JsonObject()).put("Expose", new JsonObject())).put("Connect", new JsonObject())
            .put("PeerName", "").put("Namespace", "default").put("Partition", "default")
            .put("CreateIndex", 7).put("ModifyIndex", 7))
        .put("Checks", checks);
  }
}
