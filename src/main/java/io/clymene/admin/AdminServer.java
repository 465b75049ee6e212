package io.clymene.admin;

import io.clymene.config.ServerAddress;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin HTTP server of every role: {@code /metrics} (Prometheus text from the Micrometer registry:
 * JVM, Vert.x and clymene_* meters), {@code /health} (200 while the process lives), {@code /ready} (200
 * only when every part is ready, else 503 naming what is not), {@code POST /-/reload} and a small
 * status page at {@code /}.
 */
public final class AdminServer extends VerticleBase {
  private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

  private final ServerAddress address;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private final Supplier<Future<String>> reload;
  private final String role;
  private final String version;
  private final Map<String, Function<MultiMap, Future<JsonObject>>> apis = new ConcurrentHashMap<>();
  private HttpServer server;

  /**
   * @param address where to listen
   * @param registry the meters to expose
   * @param readiness the parts' states
   * @param reload what {@code POST /-/reload} does (its result is the message), or null when the role
   *     has nothing to reload
   * @param role the role name, for the status page
   * @param version the Clymene version
   */
  public AdminServer(ServerAddress address, PrometheusMeterRegistry registry, Readiness readiness,
                     Supplier<Future<String>> reload, String role, String version) {
    this.address = address;
    this.registry = registry;
    this.readiness = readiness;
    this.reload = reload;
    this.role = role;
    this.version = version;
  }

  /**
   * Serves {@code GET /api/v1/<name>} in Prometheus' envelope ({@code {"status":"success","data":...}}).
   *
   * @param name the path after {@code /api/v1/}, e.g. {@code targets} or {@code status/remote-write}
   * @param handler gives the {@code data} object from the query parameters
   */
  public void api(String name, Function<MultiMap, Future<JsonObject>> handler) {
    apis.put(name, handler);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(this::metrics);
    router.get("/health").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "alive").encode()));
    router.get("/-/healthy").handler(rc -> rc.response().end("Healthy.\n"));
    router.get("/ready").handler(this::ready);
    router.get("/-/ready").handler(this::ready);
    router.post("/-/reload").handler(this::reload);
    router.get("/api/v1/:name").handler(rc -> api(rc, rc.pathParam("name")));
    router.get("/api/v1/status/:name").handler(rc -> api(rc, "status/" + rc.pathParam("name")));
    router.get("/").handler(this::index);
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(address.port(), address.host());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void metrics(RoutingContext rc) {
    String accept = rc.request().getHeader("Accept");
    if (accept != null && accept.contains("application/openmetrics-text")) {
      String contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
      rc.response().putHeader("Content-Type", contentType).end(registry.scrape(contentType));
    } else {
      rc.response().putHeader("Content-Type", TEXT_004).end(registry.scrape());
    }
  }

  private void ready(RoutingContext rc) {
    rc.response().setStatusCode(readiness.isReady() ? 200 : 503)
        .putHeader("Content-Type", "application/json").end(readiness.toJson().encodePrettily());
  }

  private void reload(RoutingContext rc) {
    if (reload == null) {
      rc.response().setStatusCode(200).end("nothing to reload in the " + role + " role\n");
      return;
    }
    reload.get().onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().setStatusCode(200).end(ar.result() + "\n");
      } else {
        rc.response().setStatusCode(400).end("reload rejected: " + ar.cause().getMessage() + "\n");
      }
    });
  }

  private void api(RoutingContext rc, String name) {
    Function<MultiMap, Future<JsonObject>> handler = apis.get(name);
    if (handler == null) {
      rc.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "error").put("errorType", "not_found")
              .put("error", "no API " + rc.request().path() + " in the " + role + " role").encode());
      return;
    }
    handler.apply(rc.queryParams()).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("status", "success").put("data", ar.result()).encode());
      } else {
        rc.response().setStatusCode(500).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("status", "error").put("errorType", "internal")
                .put("error", String.valueOf(ar.cause().getMessage())).encode());
      }
    });
  }

  private void index(RoutingContext rc) {
    String html = "<!doctype html><html><head><title>Clymene " + role + "</title></head><body>"
        + "<h1>Clymene " + version + "</h1><p>role: " + role + "</p><ul>"
        + "<li><a href=\"/metrics\">/metrics</a></li><li><a href=\"/health\">/health</a></li>"
        + "<li><a href=\"/ready\">/ready</a></li><li><a href=\"/api/v1/targets\">/api/v1/targets</a></li>"
        + "</ul></body></html>";
    rc.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html);
  }
}
