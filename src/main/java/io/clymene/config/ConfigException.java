package io.clymene.config;

/**
 * A configuration error: where it is (the file, flag or environment variable), the key path, and what
 * was expected. {@link #getMessage()} is the one line an operator sees.
 */
public final class ConfigException extends RuntimeException {
  private final String source;
  private final String path;
  private final String problem;

  public ConfigException(String source, String path, String problem) {
    this(source, path, problem, null);
  }

  public ConfigException(String source, String path, String problem, Throwable cause) {
    super(format(source, path, problem), cause, false, false);
    this.source = source;
    this.path = path;
    this.problem = problem;
  }

  /** The file, {@code --flag} or environment variable the bad value came from. */
  public String source() {
    return source;
  }

  /** The dotted key path, e.g. {@code storage[0].url}; empty for the whole file. */
  public String path() {
    return path;
  }

  /** What is wrong and what was expected. */
  public String problem() {
    return problem;
  }

  /** The same problem attributed to another source. */
  public ConfigException withSource(String newSource) {
    return new ConfigException(newSource, path, problem, getCause());
  }

  private static String format(String source, String path, String problem) {
    StringBuilder sb = new StringBuilder();
    if (source != null && !source.isEmpty()) {
      sb.append(source).append(": ");
    }
    if (path != null && !path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(problem).toString();
  }
}
