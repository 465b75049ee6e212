package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The DDL the writer runs for what is missing. TimescaleDB cannot be installed on the build machine, so its
 * branch is checked here with the detection's answer given (the real detection reads {@code pg_extension});
 * the partitioned branch also runs against a real PostgreSQL in {@link PostgresWriterIT}.
 */
class PostgresTablesTest {

  @Test
  void withoutTimescaleSamplesIsPartitionedByTime() {
    assertThat(PostgresTables.plan("m", false, false, false, false, null)).containsExactly(
        "CREATE SCHEMA IF NOT EXISTS m",
        "CREATE TABLE IF NOT EXISTS m.series (id bigint PRIMARY KEY, metric text NOT NULL, labels jsonb NOT NULL)",
        "CREATE TABLE IF NOT EXISTS m.samples (series_id bigint NOT NULL, time timestamptz NOT NULL, "
            + "value double precision) PARTITION BY RANGE (time)",
        "CREATE INDEX IF NOT EXISTS samples_series_id_time ON m.samples (series_id, time)",
        "CREATE TABLE IF NOT EXISTS m.writes (digest bytea PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
  }

  @Test
  void withTimescaleSamplesBecomesAHypertableOfDailyChunks() {
    assertThat(PostgresTables.plan("m", true, true, false, true, "2.14.2")).containsExactly(
        "CREATE TABLE IF NOT EXISTS m.samples (series_id bigint NOT NULL, time timestamptz NOT NULL, "
            + "value double precision)",
        "SELECT create_hypertable('m.samples', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE)",
        "CREATE INDEX IF NOT EXISTS samples_series_id_time ON m.samples (series_id, time)");
  }

  @Test
  void existingTablesAreLeftAsTheyAre() {
    assertThat(PostgresTables.plan("m", true, true, true, true, null)).isEmpty();
    assertThat(PostgresTables.plan("m", true, true, true, true, "2.14.2")).isEmpty();
  }

  @Test
  void partitionsAreUtcDays() {
    assertThat(PostgresTables.partitionDdl("m", 20_783)).isEqualTo("CREATE TABLE IF NOT EXISTS m.samples_20261126 "
        + "PARTITION OF m.samples FOR VALUES FROM ('2026-11-26 00:00:00+00') TO ('2026-11-27 00:00:00+00')");
    assertThatThrownBy(() -> PostgresTables.partitionDdl("m", -400_000)).hasMessageContaining("outside the years");
  }
}
