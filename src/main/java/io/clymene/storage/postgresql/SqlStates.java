package io.clymene.storage.postgresql;

import io.clymene.storage.WriteException;
import java.sql.SQLException;

/**
 * Maps a PostgreSQL error to a retry or a rejection by its SQLSTATE
 * (postgresql.org/docs/15/errcodes-appendix.html). Retryable: connection exceptions (class 08, also what
 * pgjdbc reports for I/O errors and timeouts), insufficient resources (53), operator intervention
 * (57: shutdown, crash, not accepting connections yet, query cancelled), serialization failure and
 * deadlock (40), lock not available (55P03), system errors (58) and internal errors (XX). Rejected, with
 * the SQLSTATE and the server's message: data exceptions (22), integrity violations (23), syntax and
 * access rule violations incl. missing tables and privileges (42), authentication (28), invalid
 * database or schema names (3D, 3F) and unsupported features (0A). Anything else is retried, so nothing
 * is dropped on an error we did not foresee.
 */
final class SqlStates {
  /** A row whose time fell outside every partition of a partitioned table (check_violation). */
  static final String NO_PARTITION = "23514";

  private SqlStates() {
  }

  /** Whether a retry may help. */
  static boolean retryable(String sqlState) {
    if (sqlState == null || sqlState.length() != 5) {
      return true; // pgjdbc gives no SQLSTATE for some I/O failures
    }
    String cls = sqlState.substring(0, 2);
    return switch (cls) {
      case "22", "23", "42", "28", "3D", "3F", "0A" -> false;
      default -> true;
    };
  }

  /** The failure as the queue wants it, naming the writer, the SQLSTATE and the server's message. */
  static WriteException classify(String writer, String what, SQLException e) {
    String state = e.getSQLState();
    String message = "postgresql writer " + writer + ": " + what + " failed with SQLSTATE "
        + (state == null ? "(none)" : state) + ": " + firstLine(e.getMessage());
    return retryable(state) ? WriteException.retryable(message, e) : WriteException.rejected(message);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
