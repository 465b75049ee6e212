package io.clymene.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;

/** Names one object gives another: ConfigMaps and their keys, volumes, service accounts, RBAC bindings. */
final class References {
  private References() {
  }

  static void check(List<Manifests.Doc> docs, List<Workload> workloads, List<String> problems) {
    for (Workload w : workloads) {
      String at = w.doc().where() + ": spec.template.spec";
      var spec = w.template().getSpec();
      String sa = spec.getServiceAccountName();
      if (sa != null && ManifestChecks.find(docs, ServiceAccount.class, w.namespace(), sa) == null) {
        problems.add(at + ".serviceAccountName: no ServiceAccount '" + sa + "'");
      }
      List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
      for (int i = 0; i < volumes.size(); i++) {
        Volume v = volumes.get(i);
        if (v.getConfigMap() != null
            && ManifestChecks.configMap(docs, w.namespace(), v.getConfigMap().getName()) == null) {
          problems.add(at + ".volumes[" + i + "].configMap.name: no ConfigMap '" + v.getConfigMap().getName() + "'");
        }
      }
      for (int c = 0; c < w.containers().size(); c++) {
        container(docs, w, volumes, w.containers().get(c), at + ".containers[" + c + "]", problems);
      }
    }
    for (Manifests.Doc d : docs) {
      if (d.resource() instanceof ClusterRoleBinding b) {
        if (!"ClusterRole".equals(b.getRoleRef().getKind())
            || ManifestChecks.find(docs, ClusterRole.class, null, b.getRoleRef().getName()) == null) {
          problems.add(d.where() + ": roleRef: no ClusterRole '" + b.getRoleRef().getName() + "'");
        }
        List<Subject> subjects = b.getSubjects();
        for (int i = 0; i < subjects.size(); i++) {
          Subject s = subjects.get(i);
          if ("ServiceAccount".equals(s.getKind())
              && ManifestChecks.find(docs, ServiceAccount.class, s.getNamespace(), s.getName()) == null) {
            problems.add(d.where() + ": subjects[" + i + "]: no ServiceAccount '" + s.getName() + "' in namespace '"
                + s.getNamespace() + "'");
          }
        }
      }
    }
  }

  private static void container(List<Manifests.Doc> docs, Workload w, List<Volume> volumes, Container c, String at,
                                List<String> problems) {
    List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
    for (int i = 0; i < mounts.size(); i++) {
      String name = mounts.get(i).getName();
      if (volumes.stream().noneMatch(v -> v.getName().equals(name))) {
        problems.add(at + ".volumeMounts[" + i + "].name: no volume '" + name + "'");
      }
    }
    List<EnvVar> env = c.getEnv() == null ? List.of() : c.getEnv();
    for (int i = 0; i < env.size(); i++) {
      EnvVar e = env.get(i);
      ConfigMapKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getConfigMapKeyRef();
      if (ref != null) {
        ConfigMap cm = ManifestChecks.configMap(docs, w.namespace(), ref.getName());
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(ref.getKey())) {
          problems.add(at + ".env[" + i + "].valueFrom.configMapKeyRef: no key '" + ref.getKey() + "' in ConfigMap '"
              + ref.getName() + "'");
        }
      }
    }
  }
}
