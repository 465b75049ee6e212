package io.clymene.cli;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ingester. Its Kafka consumer is not in this version: only the admin server runs, and says so. */
final class IngesterRoot implements RoleRoot {
  private static final Logger LOG = LoggerFactory.getLogger(IngesterRoot.class);
  static final String NOT_YET = "the ingester's Kafka consumer is not available in this version; "
      + "only the admin server runs";

  @Override
  public Future<Void> deploy(RoleContext ctx) {
    ctx.readiness.notReady("ingester", NOT_YET);
    LOG.warn(NOT_YET);
    return Future.succeededFuture();
  }
}
