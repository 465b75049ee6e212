package io.clymene.storage.prometheus;

import io.clymene.storage.HttpSettings;
import io.clymene.storage.StorageEntry;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Locale;

/**
 * Receivers that speak remote write 1.0 under another path and tenant header: {@code preset} sets them,
 * so an entry needs only the receiver's base URL and a tenant. Nothing else changes on the wire.
 * <ul>
 *   <li>{@code cortex}: {@code POST /api/v1/push}, tenant in {@code X-Scope-OrgID} (without auth Cortex
 *       stores everything as tenant {@code fake});
 *   <li>{@code mimir}: {@code POST /api/v1/push}, {@code X-Scope-OrgID} (one tenant per write; {@code a|b}
 *       only works for queries);
 *   <li>{@code thanos}: Thanos Receive's {@code POST /api/v1/receive} (on its {@code --remote-write.address},
 *       19291 by default), tenant in {@code THANOS-TENANT} (the default of {@code --receive.tenant-header}).
 * </ul>
 * A URL without a path (or {@code /}) gets the preset's path; an explicit path wins. {@code tenant_header}
 * overrides the header name, with or without a preset. None of these servers can run in the test
 * environment, so the presets are tested against a capture server (RemoteWritePresetTest).
 */
enum RemoteWritePreset {
  CORTEX("/api/v1/push", "X-Scope-OrgID"),
  MIMIR("/api/v1/push", "X-Scope-OrgID"),
  THANOS("/api/v1/receive", "THANOS-TENANT");

  /** The header the writer sends {@code tenant} in when nothing else is said. */
  static final String DEFAULT_TENANT_HEADER = "X-Scope-OrgID";

  final String path;
  final String tenantHeader;

  RemoteWritePreset(String path, String tenantHeader) {
    this.path = path;
    this.tenantHeader = tenantHeader;
  }

  /** The config values of {@code preset}. */
  static String[] configValues() {
    return new String[] {"cortex", "mimir", "thanos"};
  }

  /**
   * The entry the writer should see: the preset's path on a path-less URL, and the tenant moved into
   * {@code headers} under the preset's (or {@code tenant_header}'s) name when that is not X-Scope-OrgID.
   * An entry with neither key is returned as it is.
   */
  static StorageEntry apply(StorageEntry entry) {
    JsonObject config = entry.config();
    String name = config.getString("preset");
    String header = config.getString("tenant_header");
    if (name == null && header == null) {
      return entry;
    }
    RemoteWritePreset preset = name == null ? null : valueOf(name.toUpperCase(Locale.ROOT));
    JsonObject c = config.copy();
    String url = c.getString("url");
    if (preset != null && url != null) {
      URI uri = URI.create(url);
      if (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")) {
        c.put("url", url.replaceFirst("/?(\\?.*)?$", preset.path + (uri.getRawQuery() == null ? "" : "?"
            + uri.getRawQuery())));
      }
    }
    String tenantHeader = header != null ? header : preset != null ? preset.tenantHeader : DEFAULT_TENANT_HEADER;
    String tenant = c.getString("tenant");
    if (tenant != null && !tenantHeader.equalsIgnoreCase(DEFAULT_TENANT_HEADER)) {
      c.remove("tenant");
      JsonObject headers = c.getJsonObject("headers", new JsonObject()).copy();
      headers.put(tenantHeader, tenant);
      c.put("headers", headers);
    }
    HttpSettings http = HttpSettings.from(c, entry.http().timeout());
    return new StorageEntry(entry.type(), entry.name(), entry.path(), entry.queue(), http, c);
  }
}
