package io.clymene.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * What a writer may use: the Vert.x instance it runs on, the metrics registry and the process's
 * version (for User-Agent headers).
 *
 * @param vertx the Vert.x instance
 * @param registry where writers register their own meters
 * @param version the Clymene version
 * @param dataDir the process' data directory; a writer's disk queue defaults to {@code <dataDir>/spill/<name>}
 */
public record WriterContext(Vertx vertx, MeterRegistry registry, String version, String dataDir) {
}
