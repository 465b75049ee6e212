package io.clymene.agent.discovery.kubernetes;

/** Error text for failure reports. */
final class Errors {
  private Errors() {
  }

  /** The message, with the root cause's when it adds something. */
  static String message(Throwable t) {
    String msg = String.valueOf(t.getMessage());
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg += ": " + root.getMessage();
    }
    return msg;
  }
}
