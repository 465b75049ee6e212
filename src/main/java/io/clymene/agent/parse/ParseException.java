package io.clymene.agent.parse;

/** A body that is not valid exposition: names the line and what was wrong. */
public final class ParseException extends Exception {
  private final int line;

  public ParseException(int line, String problem, String lineText) {
    super("line " + line + ": " + problem + ": \"" + lineText + "\"", null, false, false);
    this.line = line;
  }

  public ParseException(String problem) {
    super(problem, null, false, false);
    this.line = 0;
  }

  /** The 1-based line number, or 0 when the problem is not on one line. */
  public int line() {
    return line;
  }
}
