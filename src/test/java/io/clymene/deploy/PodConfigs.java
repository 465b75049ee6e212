package io.clymene.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every Clymene container of the manifests through {@link ConfigCheck}: its arguments, its environment
 * as the kubelet would set it (values, ConfigMap keys, and the pod's IP and name from the downward API), and
 * the files of the ConfigMaps mounted into it.
 */
final class PodConfigs {
  /** The pod IP the downward API gives in these checks. */
  static final String POD_IP = "10.244.1.7";

  private PodConfigs() {
  }

  static List<String> check(List<Manifests.Doc> docs, Path tmp) {
    List<String> problems = new ArrayList<>();
    for (Workload w : Workload.of(docs)) {
      List<Container> containers = w.containers();
      for (int i = 0; i < containers.size(); i++) {
        Container c = containers.get(i);
        if (c.getImage() == null || !c.getImage().startsWith("clymene")) {
          continue;
        }
        String where = w.doc().where() + ": spec.template.spec.containers[" + i + "]";
        Map<String, String> env = env(docs, w, c, where, problems);
        List<String> args = c.getArgs() == null ? List.of() : c.getArgs();
        ConfigCheck.check(where, args, env, path -> file(docs, w, c, path), tmp, problems);
      }
    }
    return problems;
  }

  private static Map<String, String> env(List<Manifests.Doc> docs, Workload w, Container c, String where,
                                         List<String> problems) {
    Map<String, String> env = new LinkedHashMap<>();
    List<EnvVar> vars = c.getEnv() == null ? List.of() : c.getEnv();
    for (EnvVar e : vars) {
      EnvVarSource from = e.getValueFrom();
      if (from == null) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
      } else if (from.getFieldRef() != null) {
        String field = from.getFieldRef().getFieldPath();
        switch (field) {
          case "status.podIP" -> env.put(e.getName(), POD_IP);
          case "metadata.name" -> env.put(e.getName(), w.name() + "-0");
          case "metadata.namespace" -> env.put(e.getName(), w.namespace());
          default -> problems.add(where + ": env " + e.getName() + ": fieldRef " + field + " is not simulated here");
        }
      } else if (from.getConfigMapKeyRef() != null) {
        ConfigMap cm = ManifestChecks.configMap(docs, w.namespace(), from.getConfigMapKeyRef().getName());
        String v = cm == null || cm.getData() == null ? null : cm.getData().get(from.getConfigMapKeyRef().getKey());
        if (v != null) {
          env.put(e.getName(), v);
        } // a missing key is reported by References
      }
    }
    return env;
  }

  /** The content of {@code path} in container {@code c}: a key of a ConfigMap mounted as a directory. */
  private static String file(List<Manifests.Doc> docs, Workload w, Container c, String path) {
    List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
    List<Volume> volumes = w.template().getSpec().getVolumes() == null ? List.of()
        : w.template().getSpec().getVolumes();
    for (VolumeMount m : mounts) {
      String dir = m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/";
      if (!path.startsWith(dir) || m.getSubPath() != null) {
        continue;
      }
      String key = path.substring(dir.length());
      for (Volume v : volumes) {
        boolean wholeConfigMap = v.getConfigMap() != null
            && (v.getConfigMap().getItems() == null || v.getConfigMap().getItems().isEmpty());
        if (v.getName().equals(m.getName()) && wholeConfigMap) {
          ConfigMap cm = ManifestChecks.configMap(docs, w.namespace(), v.getConfigMap().getName());
          return cm == null || cm.getData() == null ? null : cm.getData().get(key);
        }
      }
    }
    return null;
  }
}
