package io.clymene.agent.discovery.kubernetes;

import io.clymene.agent.config.TargetGroup;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An informer whose objects each make one group, with source {@code <prefix>/<kind>/<namespace>/<name>}
 * ({@code <prefix>/node/<name>} for nodes), as Prometheus' {@code pod/<namespace>/<name>} behind the
 * configuration entry's name. Groups are built from the informer cache when sent; none is kept.
 *
 * @param <T> the resource
 */
final class GroupSource<T extends HasMetadata> {
  private static final Logger LOG = LoggerFactory.getLogger(GroupSource.class);

  private final String prefix;
  private final SharedIndexInformer<T> informer;
  private final BiFunction<String, T, TargetGroup> build;
  private final GroupEmitter emitter;

  /**
   * @param prefix the entry's name and the kind, e.g. {@code kubernetes_sd_configs[0]/pod}
   * @param build the group of an object from its source and the object; null to send nothing
   */
  GroupSource(String prefix, SharedIndexInformer<T> informer, BiFunction<String, T, TargetGroup> build,
              GroupEmitter emitter) {
    this.prefix = prefix;
    this.informer = informer;
    this.build = build;
    this.emitter = emitter;
    informer.addEventHandler(Handlers.onChange(obj -> process(Cache.metaNamespaceKeyFunc(obj))));
  }

  SharedIndexInformer<T> informer() {
    return informer;
  }

  /** Sends the current group of the object with this cache key, or its removal when it is gone. */
  void process(String key) {
    emitter.send(() -> {
      T obj = informer.getStore().getByKey(key);
      return obj == null ? TargetGroup.removed(source(key)) : build(key, obj);
    });
  }

  /** Sends the groups of the objects an index maps the value to. */
  void processIndexed(String index, String value) {
    for (T obj : informer.getIndexer().byIndex(index, value)) {
      process(Cache.metaNamespaceKeyFunc(obj));
    }
  }

  /** Adds the group of every cached object. */
  void addAll(List<TargetGroup> out) {
    for (T obj : informer.getStore().list()) {
      TargetGroup g = build(Cache.metaNamespaceKeyFunc(obj), obj);
      if (g != null) {
        out.add(g);
      }
    }
  }

  private String source(String key) {
    return prefix + "/" + key;
  }

  private TargetGroup build(String key, T obj) {
    try {
      return build.apply(source(key), obj);
    } catch (RuntimeException e) {
      LOG.error("cannot turn {} into targets, skipping it", source(key), e);
      return null;
    }
  }
}
