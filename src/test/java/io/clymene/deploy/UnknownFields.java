package io.clymene.deploy;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * Finds what fabric8's Kubernetes model did not take: fields the API type does not have (and values of the
 * wrong type, which fabric8 keeps aside too) end up in a model object's {@code additionalProperties}; this
 * walks the whole object tree, with the JSON property names, and reports each such field by its path.
 */
final class UnknownFields {
  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private UnknownFields() {
  }

  /** Adds one problem per unknown field of {@code doc}, naming the document and the field's path. */
  static void check(Manifests.Doc doc, List<String> problems) {
    if (doc.resource() instanceof GenericKubernetesResource g) {
      problems.add(doc.where() + ": apiVersion " + g.getApiVersion() + " kind " + g.getKind()
          + " is not a Kubernetes API type");
      return;
    }
    walk(doc.resource(), "", doc, problems);
  }

  private static void walk(Object o, String path, Manifests.Doc doc, List<String> problems) {
    if (o instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", doc, problems);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, doc, problems));
      return;
    }
    if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    JavaType type = MAPPER.constructType(o.getClass());
    List<BeanPropertyDefinition> props = MAPPER.getSerializationConfig().introspect(type).findProperties();
    for (BeanPropertyDefinition p : props) {
      AnnotatedMember accessor = p.getAccessor();
      if (accessor == null) {
        continue;
      }
      Object value = accessor.getValue(o);
      if (p.getName().equals("additionalProperties")) {
        continue;
      }
      walk(value, path.isEmpty() ? p.getName() : path + "." + p.getName(), doc, problems);
    }
    Map<String, Object> extra = additional(o);
    extra.forEach((k, v) -> problems.add(doc.where() + ": " + (path.isEmpty() ? k : path + "." + k)
        + ": unknown field (or a value of the wrong type) for " + o.getClass().getSimpleName()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> additional(Object o) {
    try {
      Object m = o.getClass().getMethod("getAdditionalProperties").invoke(o);
      return m instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    } catch (NoSuchMethodException e) {
      return Map.of();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
