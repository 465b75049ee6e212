package io.clymene.agent.discovery.kubernetes;

import java.util.List;

/**
 * One {@code selectors} entry: a label and a field selector narrowing the list/watch of one role's
 * resources, in Kubernetes' selector syntax (already checked).
 *
 * @param role the resources it applies to
 * @param label a label selector such as {@code app=web,tier!=db}; empty for none
 * @param field a field selector such as {@code spec.nodeName=n1}; empty for none
 */
public record Selector(Role role, String label, String field) {

  /** One term of a field selector. */
  record FieldTerm(String key, String value, boolean negated) {
  }

  /** The field selector's terms, unescaped. */
  List<FieldTerm> fieldTerms() {
    return SelectorSyntax.fieldTerms(field);
  }
}
