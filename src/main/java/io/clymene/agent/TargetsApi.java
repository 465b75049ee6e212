package io.clymene.agent;

import io.clymene.agent.scrape.PoolStatus;
import io.clymene.agent.scrape.TargetShards;
import io.clymene.agent.scrape.TargetStatus;
import io.clymene.config.Durations;
import io.clymene.model.Labels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The body of Prometheus' {@code GET /api/v1/targets} and {@code GET /api/v1/scrape_pools} from the
 * agent's state, field for field as Prometheus 2.42 writes them, so that tools reading Prometheus'
 * API read ours. Additions: {@code data.discoveryErrors} lists discovery entries whose last refresh
 * failed (their last good targets are still scraped); in a cluster of agents, {@code data.cluster} names this
 * member and the members sharing the targets, every active target has {@code scrapedBy} (its owners), and
 * {@code data.otherMembersTargets} lists the targets other members scrape, with theirs.
 */
public final class TargetsApi {
  private static final String NEVER = "0001-01-01T00:00:00Z";

  private TargetsApi() {
  }

  /**
   * The {@code data} object of the targets answer.
   *
   * @param pools every job's state
   * @param state {@code active}, {@code dropped}, {@code any} or null/empty for both
   * @param scrapePool only this job when not null/empty
   */
  public static JsonObject targets(List<PoolStatus> pools, String state, String scrapePool) {
    return targets(pools, state, scrapePool, TargetShards.STANDALONE);
  }

  /**
   * The {@code data} object of the targets answer of a member of a cluster.
   *
   * @param shards the current division of the targets among the members
   */
  public static JsonObject targets(List<PoolStatus> pools, String state, String scrapePool, TargetShards shards) {
    boolean clustered = shards.self() != null;
    JsonArray elsewhere = new JsonArray();
    String s = state == null ? "" : state.toLowerCase(Locale.ROOT);
    boolean active = s.isEmpty() || s.equals("any") || s.equals("active");
    boolean dropped = s.isEmpty() || s.equals("any") || s.equals("dropped");
    List<PoolStatus> sorted = new ArrayList<>(pools);
    sorted.sort(Comparator.comparing(PoolStatus::job));
    JsonArray activeTargets = new JsonArray();
    JsonArray droppedTargets = new JsonArray();
    JsonArray errors = new JsonArray();
    for (PoolStatus p : sorted) {
      if (scrapePool != null && !scrapePool.isEmpty() && !scrapePool.equals(p.job())) {
        continue;
      }
      if (active) {
        for (TargetStatus t : p.active()) {
          JsonObject o = target(p.job(), t);
          if (clustered) {
            o.put("scrapedBy", new JsonArray(shards.owners(t.target().hash())));
          }
          activeTargets.add(o);
        }
        for (PoolStatus.ElsewhereTarget t : p.elsewhere()) {
          elsewhere.add(new JsonObject().put("labels", map(t.target().labels())).put("scrapePool", p.job())
              .put("scrapeUrl", t.target().url()).put("scrapedBy", new JsonArray(t.owners())));
        }
      }
      if (dropped) {
        for (Labels l : p.dropped()) {
          droppedTargets.add(new JsonObject().put("discoveredLabels", map(l)));
        }
      }
      for (PoolStatus.DiscoveryError e : p.discoveryErrors()) {
        errors.add(new JsonObject().put("scrapePool", p.job()).put("config", e.name()).put("error", e.error())
            .put("lastFailure", Instant.ofEpochMilli(e.sinceMillis()).toString()));
      }
    }
    JsonObject data = new JsonObject().put("activeTargets", activeTargets).put("droppedTargets", droppedTargets)
        .put("discoveryErrors", errors);
    if (clustered) {
      data.put("cluster", new JsonObject().put("member", shards.self()).put("members", new JsonArray(shards.members())))
          .put("otherMembersTargets", elsewhere);
    }
    return data;
  }

  /** The {@code data} object of the scrape pools answer. */
  public static JsonObject scrapePools(List<PoolStatus> pools) {
    List<String> names = new ArrayList<>();
    pools.forEach(p -> names.add(p.job()));
    names.sort(null);
    return new JsonObject().put("scrapePools", new JsonArray(names));
  }

  private static JsonObject target(String pool, TargetStatus t) {
    return new JsonObject()
        .put("discoveredLabels", map(t.target().discoveredLabels()))
        .put("labels", map(t.target().labels()))
        .put("scrapePool", pool)
        .put("scrapeUrl", t.target().url())
        .put("globalUrl", t.target().url())
        .put("lastError", t.lastError() == null ? "" : t.lastError())
        .put("lastScrape", t.lastScrapeMillis() == 0 ? NEVER : Instant.ofEpochMilli(t.lastScrapeMillis()).toString())
        .put("lastScrapeDuration", t.lastDurationSeconds())
        .put("health", t.health().toString())
        .put("scrapeInterval", Durations.format(t.target().interval()))
        .put("scrapeTimeout", Durations.format(t.target().timeout()));
  }

  private static JsonObject map(Labels l) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < l.size(); i++) {
      o.put(l.name(i), l.value(i));
    }
    return o;
  }
}
