package io.clymene.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The kustomization of a manifest directory: its {@code resources} must be exactly the directory's manifests. */
final class Kustomization {
  private Kustomization() {
  }

  /** Every problem of the kustomization {@code text} for the manifests of {@code dir}. */
  static List<String> check(Path dir, String text) {
    Object resources = Manifests.yamlMap(text).get("resources");
    List<String> listed = resources instanceof List<?> l ? l.stream().map(Object::toString).toList() : List.of();
    List<String> problems = new ArrayList<>();
    for (Path f : Manifests.yamlFiles(dir)) {
      if (!listed.contains(f.getFileName().toString())) {
        problems.add(Manifests.KUSTOMIZATION + ": resources: " + f.getFileName() + " is not listed");
      }
    }
    listed.stream().filter(r -> !Files.isRegularFile(dir.resolve(r)))
        .forEach(r -> problems.add(Manifests.KUSTOMIZATION + ": resources: " + r + " does not exist"));
    return problems;
  }
}
