package io.clymene.gateway.decode;

/**
 * A syntax error in an InfluxDB line protocol body, naming the first bad line.
 *
 * <p>The message reads {@code line 3, column 17: expected '=' after field key: "cpu,host=a usage"}: the
 * 1-based line number within the body (counting empty and comment lines), the 1-based column (in UTF-16
 * characters) within that line, the reason, and the line's first 100 characters as they are.
 */
public final class InfluxParseException extends Exception {

  /** How many characters of the bad line the message quotes. */
  public static final int EXCERPT_LENGTH = 100;

  private final int line;
  private final int column;
  private final String reason;
  private final String excerpt;

  /**
   * @param line 1-based line number
   * @param column 1-based column
   * @param reason what is wrong, without position
   * @param lineText the whole line (cut to {@link #EXCERPT_LENGTH} characters here)
   */
  public InfluxParseException(int line, int column, String reason, String lineText) {
    super(format(line, column, reason, excerpt(lineText)));
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.excerpt = excerpt(lineText);
  }

  private static String excerpt(String lineText) {
    if (lineText.length() <= EXCERPT_LENGTH) {
      return lineText;
    }
    int end = EXCERPT_LENGTH;
    if (Character.isHighSurrogate(lineText.charAt(end - 1))) {
      end--;
    }
    return lineText.substring(0, end);
  }

  private static String format(int line, int column, String reason, String excerpt) {
    return "line " + line + ", column " + column + ": " + reason + ": \"" + excerpt + "\"";
  }

  /** The 1-based number of the bad line. */
  public int line() {
    return line;
  }

  /** The 1-based column of the error within the line. */
  public int column() {
    return column;
  }

  /** What is wrong, without the position and excerpt. */
  public String reason() {
    return reason;
  }

  /** The first {@link #EXCERPT_LENGTH} characters of the bad line. */
  public String excerpt() {
    return excerpt;
  }
}
