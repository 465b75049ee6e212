package io.clymene.agent.discovery.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks Kubernetes label and field selectors the way the API server parses them, so that a bad selector
 * fails at config load (as in Prometheus) rather than on every list call. Failures throw
 * {@link IllegalArgumentException} with the reason.
 */
final class SelectorSyntax {
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String SPECIAL = "=!(),<>";

  private SelectorSyntax() {
  }

  /** The terms of a field selector such as {@code metadata.name=a,spec.nodeName!=b}; values stay escaped. */
  static List<Selector.FieldTerm> fieldTerms(String selector) {
    List<Selector.FieldTerm> terms = new ArrayList<>();
    for (String part : splitUnescaped(selector)) {
      if (part.isEmpty()) {
        continue;
      }
      Selector.FieldTerm term = splitTerm(part);
      if (term == null) {
        throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + part + "'");
      }
      unescape(term.value());
      terms.add(term);
    }
    return terms;
  }

  private static List<String> splitUnescaped(String s) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean escaped = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',') {
        parts.add(cur.toString());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    parts.add(cur.toString());
    return parts;
  }

  private static Selector.FieldTerm splitTerm(String term) {
    for (int i = 0; i < term.length(); i++) {
      if (term.startsWith("!=", i)) {
        return new Selector.FieldTerm(term.substring(0, i), term.substring(i + 2), true);
      }
      if (term.startsWith("==", i)) {
        return new Selector.FieldTerm(term.substring(0, i), term.substring(i + 2), false);
      }
      if (term.charAt(i) == '=') {
        return new Selector.FieldTerm(term.substring(0, i), term.substring(i + 1), false);
      }
    }
    return null;
  }

  private static void unescape(String value) {
    boolean escaped = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (escaped) {
        if (c != '\\' && c != ',' && c != '=') {
          throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\" + c);
        }
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',' || c == '=') {
        throw new IllegalArgumentException("invalid field selector: unescaped character in value: " + c);
      }
    }
    if (escaped) {
      throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\");
    }
  }

  /** Checks a label selector such as {@code app=web,tier in (a,b),!canary}. */
  static void checkLabels(String selector) {
    List<String> tokens = tokenize(selector);
    int i = 0;
    while (i < tokens.size()) {
      String t = tokens.get(i);
      if (t.equals("!")) {
        checkKey(at(tokens, i + 1, selector));
        i += 2;
      } else if (!isSymbol(t)) {
        checkKey(t);
        i++;
        String op = i < tokens.size() ? tokens.get(i) : ",";
        switch (op) {
          case "," -> {
            // exists
          }
          case "=", "==", "!=" -> {
            i++;
            String v = i < tokens.size() && !isPunct(tokens.get(i)) ? tokens.get(i++) : "";
            checkValue(v);
          }
          case "<", ">" -> {
            String v = at(tokens, ++i, selector);
            i++;
            try {
              Long.parseLong(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("invalid label selector '" + selector + "': for '" + op
                  + "' the value must be an integer, got '" + v + "'");
            }
          }
          case "in", "notin" -> {
            if (!"(".equals(at(tokens, ++i, selector))) {
              throw new IllegalArgumentException("invalid label selector '" + selector + "': expected '(' after "
                  + op);
            }
            i++;
            while (true) {
              String v = at(tokens, i, selector);
              if (v.equals(")")) {
                i++;
                break;
              }
              if (v.equals(",")) {
                checkValue("");
                i++;
                continue;
              }
              if (isPunct(v)) {
                throw new IllegalArgumentException("invalid label selector '" + selector + "': unexpected '" + v
                    + "' in the values of " + op);
              }
              checkValue(v);
              i++;
              String next = at(tokens, i, selector);
              if (next.equals(",")) {
                i++;
              } else if (!next.equals(")")) {
                throw new IllegalArgumentException("invalid label selector '" + selector + "': expected ',' or ')',"
                    + " got '" + next + "'");
              }
            }
          }
          default -> throw new IllegalArgumentException("invalid label selector '" + selector + "': unexpected '"
              + op + "' after key " + t);
        }
      } else {
        throw new IllegalArgumentException("invalid label selector '" + selector + "': unexpected '" + t + "'");
      }
      if (i < tokens.size()) {
        if (!tokens.get(i).equals(",")) {
          throw new IllegalArgumentException("invalid label selector '" + selector + "': expected ',' before '"
              + tokens.get(i) + "'");
        }
        i++;
        if (i == tokens.size()) {
          throw new IllegalArgumentException("invalid label selector '" + selector + "': ends with ','");
        }
      }
    }
  }

  private static String at(List<String> tokens, int i, String selector) {
    if (i >= tokens.size()) {
      throw new IllegalArgumentException("invalid label selector '" + selector + "': ends too early");
    }
    return tokens.get(i);
  }

  private static boolean isPunct(String t) {
    return SPECIAL.indexOf(t.charAt(0)) >= 0;
  }

  private static boolean isSymbol(String t) {
    return SPECIAL.indexOf(t.charAt(0)) >= 0 || t.equals("in") || t.equals("notin");
  }

  private static List<String> tokenize(String s) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (SPECIAL.indexOf(c) >= 0) {
        if ((c == '=' || c == '!') && i + 1 < s.length() && s.charAt(i + 1) == '=') {
          tokens.add(c + "=");
          i += 2;
        } else {
          tokens.add(String.valueOf(c));
          i++;
        }
      } else {
        int start = i;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && SPECIAL.indexOf(s.charAt(i)) < 0) {
          i++;
        }
        tokens.add(s.substring(start, i));
      }
    }
    return tokens;
  }

  private static void checkKey(String key) {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        throw new IllegalArgumentException("invalid label key '" + key + "': the prefix must be a DNS subdomain");
      }
    }
    if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid label key '" + key + "': a name must be at most 63 alphanumeric "
          + "characters, '-', '_' or '.', starting and ending with an alphanumeric character");
    }
  }

  private static void checkValue(String value) {
    if (!value.isEmpty() && (value.length() > 63 || !NAME.matcher(value).matches())) {
      throw new IllegalArgumentException("invalid label value '" + value + "': a value must be empty or at most 63 "
          + "alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character");
    }
  }
}
