package io.clymene.transport.eventbus;

import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;

/**
 * The {@code eventbus} output: sends to the gateways of a Vert.x cluster over the clustered event bus
 * ({@code agent.output: eventbus}, which needs {@code cluster.enabled: true}). Its own key:
 *
 * <pre>
 * address: clymene.gateway.write   # the address the gateways consume (default)
 * </pre>
 *
 * plus the common {@code timeout} (each request's reply timeout) and {@code queue}. Headers, credentials and
 * TLS do not apply: membership of the cluster is what lets a member send.
 */
public final class EventBusProvider implements StorageProvider {
  public static final String TYPE = "eventbus";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object().field("address", string());
  }

  @Override
  public void check(StorageEntry entry) {
    String address = entry.config().getString("address");
    if (address != null && address.isBlank()) {
      throw new ConfigException(null, entry.path() + ".address",
          "empty; expected an event-bus address such as " + Addresses.GATEWAY_WRITE + " (the default)");
    }
    for (String key : new String[] {"headers", "basic_auth", "bearer_token", "bearer_token_file", "oauth2", "tls"}) {
      if (entry.config().containsKey(key)) {
        throw new ConfigException(null, entry.path() + "." + key, "not used by the eventbus output: cluster "
            + "membership is what lets a member send; remove it");
      }
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new EventBusWriter(context, entry);
  }
}
