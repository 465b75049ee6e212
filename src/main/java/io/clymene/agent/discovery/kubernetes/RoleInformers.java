package io.clymene.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.AnyNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The informers one configuration entry needs, wired as Prometheus wires its informers: per namespace the
 * role's resources (each object a group) and, for the endpoints roles, the services and pods whose labels
 * their groups carry; a service change re-sends its endpoints' groups. With {@code attach_metadata.node} one
 * node informer is shared and a node change re-sends the groups of the objects on that node.
 */
final class RoleInformers {
  private static final String NODE_INDEX = "node";
  private static final String SERVICE_INDEX = "service";

  /** Told about list/watch failures and successful lists, per informer. */
  interface Health {
    void failed(String what, String message);

    void ok(String what);
  }

  private final KubernetesSdConfig config;
  private final ApiConnection conn;
  private final GroupEmitter emitter;
  private final String prefix;
  private final Health health;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final List<GroupSource<?>> sources = new ArrayList<>();
  private final List<GroupSource<?>> onNodes = new ArrayList<>();
  private volatile boolean stopped;

  private RoleInformers(KubernetesSdConfig config, ApiConnection conn, GroupEmitter emitter, String prefix,
                        Health health) {
    this.config = config;
    this.conn = conn;
    this.emitter = emitter;
    this.prefix = prefix;
    this.health = health;
  }

  /**
   * Creates the informers, not started.
   *
   * @param namespaces the namespaces to watch; a single null means all
   * @param prefix the prefix of group sources: the configuration entry's name
   */
  static RoleInformers create(KubernetesSdConfig config, ApiConnection conn, List<String> namespaces,
                              GroupEmitter emitter, String prefix, Health health) {
    RoleInformers r = new RoleInformers(config, conn, emitter, prefix, health);
    r.build(namespaces);
    return r;
  }

  private void build(List<String> namespaces) {
    KubernetesClient k = conn.client;
    Role role = config.role();
    boolean attach = config.attachNodeMetadata() && role.attachesNodes();
    SharedIndexInformer<Node> nodes = attach || role == Role.NODE
        ? informer(k.nodes(), Role.NODE, Map.of(), "nodes") : null;
    Function<String, Node> nodeLookup = attach ? nodes.getStore()::getByKey : null;
    if (role == Role.NODE) {
      sources.add(new GroupSource<>(prefix + "/node", nodes, NodeGroups::group, emitter));
      return;
    }
    for (String ns : namespaces) {
      switch (role) {
        case POD -> {
          Map<String, Function<Pod, List<String>>> idx = attach
              ? Map.of(NODE_INDEX, p -> List.of(Meta.str(p.getSpec().getNodeName()))) : Map.of();
          SharedIndexInformer<Pod> pods = informer(in(k.pods(), ns), Role.POD, idx, "pods" + where(ns));
          add(new GroupSource<>(prefix + "/pod", pods, (src, pod) -> PodGroups.group(src, pod, nodeLookup),
              emitter), attach);
        }
        case SERVICE -> add(new GroupSource<>(prefix + "/svc",
            informer(in(k.services(), ns), Role.SERVICE, Map.of(), "services" + where(ns)),
            ServiceGroups::group, emitter), false);
        case INGRESS -> add(new GroupSource<>(prefix + "/ingress",
            informer(in(k.network().v1().ingresses(), ns), Role.INGRESS, Map.of(), "ingresses" + where(ns)),
            IngressGroups::group, emitter), false);
        case ENDPOINTS -> endpoints(k, ns, attach, nodeLookup);
        case ENDPOINTSLICE -> endpointSlices(k, ns, attach, nodeLookup);
        default -> throw new IllegalStateException("unexpected role " + role);
      }
    }
    if (attach) {
      nodes.addEventHandler(Handlers.onChange(node -> {
        for (GroupSource<?> s : onNodes) {
          s.processIndexed(NODE_INDEX, node.getMetadata().getName());
        }
      }));
    }
  }

  private void endpoints(KubernetesClient k, String ns, boolean attach, Function<String, Node> nodeLookup) {
    SharedIndexInformer<Service> svcs = informer(in(k.services(), ns), Role.SERVICE, Map.of(), "services" + where(ns));
    SharedIndexInformer<Pod> pods = informer(in(k.pods(), ns), Role.POD, Map.of(), "pods" + where(ns));
    // like Prometheus, only ready addresses count for the node index
    Map<String, Function<Endpoints, List<String>>> idx = attach ? Map.of(NODE_INDEX, e -> e.getSubsets().stream()
        .flatMap(s -> s.getAddresses().stream()).map(a -> a.getNodeName()).filter(Objects::nonNull).toList())
        : Map.of();
    SharedIndexInformer<Endpoints> eps = informer(in(k.endpoints(), ns), Role.ENDPOINTS, idx, "endpoints" + where(ns));
    GroupSource<Endpoints> source = new GroupSource<>(prefix + "/endpoints", eps, (src, e) ->
        EndpointsGroups.group(src, e, svcs.getStore()::getByKey, pods.getStore()::getByKey, nodeLookup), emitter);
    svcs.addEventHandler(Handlers.onChange(svc -> {
      String key = Meta.key(svc.getMetadata());
      if (eps.getStore().getByKey(key) != null) {
        source.process(key);
      }
    }));
    add(source, attach);
  }

  private void endpointSlices(KubernetesClient k, String ns, boolean attach, Function<String, Node> nodeLookup) {
    SharedIndexInformer<Service> svcs = informer(in(k.services(), ns), Role.SERVICE, Map.of(), "services" + where(ns));
    SharedIndexInformer<Pod> pods = informer(in(k.pods(), ns), Role.POD, Map.of(), "pods" + where(ns));
    Map<String, Function<EndpointSlice, List<String>>> idx = new HashMap<>();
    idx.put(SERVICE_INDEX, s -> {
      String key = EndpointSliceGroups.serviceKey(s);
      return key == null ? List.of() : List.of(key);
    });
    if (attach) {
      idx.put(NODE_INDEX, s -> s.getEndpoints().stream().map(Endpoint::getNodeName).filter(Objects::nonNull)
          .toList());
    }
    SharedIndexInformer<EndpointSlice> slices = informer(in(k.discovery().v1().endpointSlices(), ns),
        Role.ENDPOINTSLICE, idx, "endpointslices" + where(ns));
    GroupSource<EndpointSlice> source = new GroupSource<>(prefix + "/endpointslice", slices, (src, s) ->
        EndpointSliceGroups.group(src, s, svcs.getStore()::getByKey, pods.getStore()::getByKey, nodeLookup), emitter);
    svcs.addEventHandler(Handlers.onChange(
        svc -> source.processIndexed(SERVICE_INDEX, Meta.key(svc.getMetadata()))));
    add(source, attach);
  }

  private void add(GroupSource<?> source, boolean followsNodes) {
    sources.add(source);
    if (followsNodes) {
      onNodes.add(source);
    }
  }

  private static String where(String ns) {
    return ns == null ? " (all namespaces)" : " in namespace " + ns;
  }

  private static <T extends HasMetadata, L, R extends Resource<T>> AnyNamespaceOperation<T, L, R> in(
      MixedOperation<T, L, R> op, String ns) {
    return ns == null ? op.inAnyNamespace() : op.inNamespace(ns);
  }

  /** An informer (resync off, as in Prometheus) with the role's selector; failures are reported and retried. */
  private <T extends HasMetadata, L, R> SharedIndexInformer<T> informer(FilterWatchListDeletable<T, L, R> op,
      Role selectorRole, Map<String, Function<T, List<String>>> indexers, String what) {
    Selector sel = config.selector(selectorRole);
    if (sel != null) {
      if (!sel.label().isEmpty()) {
        op = op.withLabelSelector(sel.label());
      }
      for (Selector.FieldTerm t : sel.fieldTerms()) {
        op = t.negated() ? op.withoutField(t.key(), t.value()) : op.withField(t.key(), t.value());
      }
    }
    Informable<T> inf = indexers.isEmpty() ? op : op.withIndexers(indexers);
    SharedIndexInformer<T> informer = inf.runnableInformer(0);
    informer.exceptionHandler((started, t) -> {
      if (stopped) {
        return false;
      }
      health.failed(what, "list/watch of " + what + " at " + conn.url + " failed: " + Errors.message(t));
      return true;
    });
    informer.addEventHandler(Handlers.onList(() -> health.ok(what)));
    informers.add(informer);
    return informer;
  }

  /** Starts every informer; completes once all have listed (they retry until then). */
  CompletableFuture<Void> start() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (SharedIndexInformer<?> inf : informers) {
      starts.add(inf.start().toCompletableFuture());
    }
    return CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0]));
  }

  /** The group sources, for the first update. */
  List<GroupSource<?>> sources() {
    return sources;
  }

  /** Stops every informer; blocking. */
  void stop() {
    stopped = true;
    informers.forEach(SharedIndexInformer::stop);
  }
}
