package io.clymene.deploy;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests of a directory, each YAML document deserialized by fabric8 into its typed
 * model class (chosen by {@code apiVersion} and {@code kind}, as the API server would).
 */
final class Manifests {
  /** The kustomization file: listed separately, it is not a Kubernetes object. */
  static final String KUSTOMIZATION = "kustomization.yaml";

  private Manifests() {
  }

  /**
   * One YAML document of a manifest file.
   *
   * @param file the file name
   * @param index the document's position in the file, from 1
   * @param resource the fabric8 object ({@link GenericKubernetesResource} for a kind fabric8 does not know)
   */
  record Doc(String file, int index, KubernetesResource resource) {
    /** Where this document is, for messages: file, document number, kind and name. */
    String where() {
      String what = resource instanceof HasMetadata h
          ? " (" + h.getKind() + " " + (h.getMetadata() == null ? "?" : h.getMetadata().getName()) + ")" : "";
      return file + " document " + index + what;
    }

    <T> T as(Class<T> type) {
      return type.isInstance(resource) ? type.cast(resource) : null;
    }
  }

  /** Every document of every {@code *.yaml} file of {@code dir} except the kustomization file, in name order. */
  static List<Doc> load(Path dir) {
    List<Doc> docs = new ArrayList<>();
    for (Path f : yamlFiles(dir)) {
      docs.addAll(parse(f.getFileName().toString(), read(f)));
    }
    return docs;
  }

  /** The manifest files of {@code dir} (kustomization excluded), sorted by name. */
  static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals(KUSTOMIZATION))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of one file's text. */
  static List<Doc> parse(String file, String text) {
    List<Doc> docs = new ArrayList<>();
    int i = 0;
    for (Object raw : yaml().loadAll(text)) {
      i++;
      if (raw == null) {
        continue;
      }
      if (!(raw instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(file + " document " + i + ": not a mapping");
      }
      docs.add(new Doc(file, i, typed(file, i, (Map<?, ?>) raw)));
    }
    return docs;
  }

  /**
   * The document as fabric8's model class; a value of the wrong type fails with the file, document and the
   * field's path.
   */
  private static KubernetesResource typed(String file, int index, Map<?, ?> raw) {
    try {
      return Serialization.jsonMapper().convertValue(raw, KubernetesResource.class);
    } catch (IllegalArgumentException e) {
      Throwable cause = e.getCause() instanceof JsonMappingException ? e.getCause() : e;
      StringBuilder path = new StringBuilder();
      if (cause instanceof JsonMappingException j) {
        for (JsonMappingException.Reference r : j.getPath()) {
          path.append(r.getFieldName() != null ? (path.isEmpty() ? "" : ".") + r.getFieldName()
              : "[" + r.getIndex() + "]");
        }
      }
      Object meta = raw.get("metadata");
      Object name = meta instanceof Map<?, ?> m ? m.get("name") : "?";
      String problem = cause instanceof JsonMappingException j ? j.getOriginalMessage() : cause.getMessage();
      throw new IllegalArgumentException(file + " document " + index + " (" + raw.get("kind") + " " + name + "): "
          + path + ": " + problem, e);
    }
  }

  /** A plain YAML document (compose files, the kustomization, Clymene configs), YAML 1.1 with merge keys. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yamlMap(String text) {
    Object o = yaml().load(text);
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options));
  }
}
