package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.storage.WriteException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** SQLSTATE classes to retry or rejection, and the message a rejection carries. */
class SqlStatesTest {

  @Test
  void connectionResourceShutdownAndSerializationErrorsAreRetried() {
    for (String s : new String[] {"08006", "08001", "53300", "53100", "57P01", "57P03", "57014", "40001", "40P01",
        "55P03", "58030", "XX000", null, ""}) {
      assertThat(SqlStates.retryable(s)).as(s).isTrue();
    }
  }

  @Test
  void dataSyntaxPrivilegeAndAuthenticationErrorsAreRejected() {
    for (String s : new String[] {"22P03", "22008", "23505", "42501", "42P01", "42703", "28P01", "28000", "3D000",
        "3F000", "0A000"}) {
      assertThat(SqlStates.retryable(s)).as(s).isFalse();
    }
  }

  @Test
  void aRejectionNamesWriterSqlstateAndTheFirstLineOfTheReason() {
    WriteException e = SqlStates.classify("pg", "writing 2 batches",
        new SQLException("ERROR: permission denied for table series\n  Where: SQL statement", "42501"));
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("postgresql writer pg: writing 2 batches failed with SQLSTATE 42501: "
        + "ERROR: permission denied for table series");
    assertThat(SqlStates.classify("pg", "connecting", new SQLException("refused", "08001")).retryable()).isTrue();
  }
}
