package io.clymene.gateway.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.gateway.otlp.PrometheusNames.Kind;
import org.junit.jupiter.api.Test;

/** Expected names are the facts of Prometheus 2.55's normalize_name_test.go and OTel's label tests. */
class PrometheusNamesTest {

  private static String gauge(String name, String unit) {
    return PrometheusNames.metricName(name, unit, Kind.GAUGE);
  }

  private static String counter(String name, String unit) {
    return PrometheusNames.metricName(name, unit, Kind.COUNTER);
  }

  @Test
  void appendsUnitWords() {
    assertThat(gauge("system.filesystem.usage", "By")).isEqualTo("system_filesystem_usage_bytes");
    assertThat(gauge("\t system.filesystem.usage       ", "  By\t")).isEqualTo("system_filesystem_usage_bytes");
    assertThat(gauge("hw.cpu.speed_limit", "Hz")).isEqualTo("hw_cpu_speed_limit_hertz");
    assertThat(gauge("active_directory.ds.ldap.bind.last_successful.time", "ms"))
        .isEqualTo("active_directory_ds_ldap_bind_last_successful_time_milliseconds");
    assertThat(gauge("mongodbatlas.process.journaling.data_files", "MiBy"))
        .isEqualTo("mongodbatlas_process_journaling_data_files_mebibytes");
    assertThat(gauge("nsxt.node.memory.usage", "KBy")).isEqualTo("nsxt_node_memory_usage_kilobytes");
    assertThat(gauge("redis.latest_fork", "us")).isEqualTo("redis_latest_fork_microseconds");
    assertThat(PrometheusNames.metricName("http.server.request.duration", "s", Kind.OTHER))
        .isEqualTo("http_server_request_duration_seconds");
  }

  @Test
  void countersGetTotalOnce() {
    assertThat(counter("system.io", "By")).isEqualTo("system_io_bytes_total");
    assertThat(counter("network_transmitted_bytes_total", "By")).isEqualTo("network_transmitted_bytes_total");
    assertThat(counter("system.disk.operation_time", "s")).isEqualTo("system_disk_operation_time_seconds_total");
    assertThat(counter("active_directory.ds.replication.network.io", "By"))
        .isEqualTo("active_directory_ds_replication_network_io_bytes_total");
    assertThat(counter(":foo::bar", "")).isEqualTo("foo_bar_total");
    assertThat(counter("system.io", "foo/bar")).isEqualTo("system_io_foo_per_bar_total");
  }

  @Test
  void dropsUnitsInBraces() {
    assertThat(gauge("system.network.dropped", "{packets}")).isEqualTo("system_network_dropped");
    assertThat(counter("system.network.dropped", "{packets}")).isEqualTo("system_network_dropped_total");
    assertThat(counter("bigip.virtual_server.request.count", "{requests}"))
        .isEqualTo("bigip_virtual_server_request_count_total");
    assertThat(counter("active_directory.ds.replication.sync.object.pending", "{objects}"))
        .isEqualTo("active_directory_ds_replication_sync_object_pending_total");
    assertThat(gauge("mongodbatlas.process.db.query_targeting.scanned_per_returned", "{scanned}/{returned}"))
        .isEqualTo("mongodbatlas_process_db_query_targeting_scanned_per_returned");
  }

  @Test
  void unknownUnitsAreKeptUnlessAlreadyInTheName() {
    assertThat(gauge("system.network.dropped", "packets")).isEqualTo("system_network_dropped_packets");
    assertThat(gauge("system.network.packets.dropped", "packets")).isEqualTo("system_network_packets_dropped");
    assertThat(gauge("system.network.packets", "packets")).isEqualTo("system_network_packets");
    assertThat(counter("system.network.dropped", "packets")).isEqualTo("system_network_dropped_packets_total");
    assertThat(gauge("apache.current_connections", "connections")).isEqualTo("apache_current_connections");
    assertThat(gauge("apache.workers", "connections")).isEqualTo("apache_workers_connections");
    assertThat(gauge("nginx.requests", "requests")).isEqualTo("nginx_requests");
  }

  @Test
  void ratioOnlyForGaugesOfUnitOne() {
    assertThat(gauge("hw.gpu.memory.utilization", "1")).isEqualTo("hw_gpu_memory_utilization_ratio");
    assertThat(gauge("hw.fan.speed_ratio", "1")).isEqualTo("hw_fan_speed_ratio");
    assertThat(gauge("system.cpu.load_average.15m", "1")).isEqualTo("system_cpu_load_average_15m_ratio");
    assertThat(counter("objects", "1")).isEqualTo("objects_total");
    assertThat(counter("apache.requests", "1")).isEqualTo("apache_requests_total");
    assertThat(PrometheusNames.metricName("queue.fill", "1", Kind.OTHER)).isEqualTo("queue_fill");
  }

  @Test
  void rateUnitsGetPer() {
    assertThat(gauge("broken.metric.speed", "km/h")).isEqualTo("broken_metric_speed_km_per_hour");
    assertThat(gauge("astro.light.speed_limit", "m/s")).isEqualTo("astro_light_speed_limit_meters_per_second");
    assertThat(gauge("active_directory.ds.replication.object.rate", "{objects}/s"))
        .isEqualTo("active_directory_ds_replication_object_rate_per_second");
    assertThat(gauge("mongodbatlas.process.network.io", "By/s"))
        .isEqualTo("mongodbatlas_process_network_io_bytes_per_second");
    assertThat(gauge("mongodbatlas.process.oplog.rate", "GiBy/h"))
        .isEqualTo("mongodbatlas_process_oplog_rate_gibibytes_per_hour");
  }

  @Test
  void percentAndOddUnits() {
    assertThat(gauge("broken.metric.success_ratio", "%")).isEqualTo("broken_metric_success_ratio_percent");
    assertThat(gauge("broken.metric.success_percent", "%")).isEqualTo("broken_metric_success_percent");
    assertThat(gauge("test.metric.no_unit", "")).isEqualTo("test_metric_no_unit");
    assertThat(gauge("test.metric.spaces", "   \t  ")).isEqualTo("test_metric_spaces");
    assertThat(gauge("unsupported.metric.temperature", "°F")).isEqualTo("unsupported_metric_temperature_F");
    assertThat(gauge("unsupported.metric.weird", "+=.:,!* & #")).isEqualTo("unsupported_metric_weird");
    assertThat(gauge("unsupported.metric.redundant", "__test $/°C"))
        .isEqualTo("unsupported_metric_redundant_test_per_C");
  }

  @Test
  void leadingDigitsAndSeparators() {
    assertThat(gauge("3.14 digits", "")).isEqualTo("_3_14_digits");
    assertThat(gauge("envoy__rule_engine_zlib_buf_error", "")).isEqualTo("envoy_rule_engine_zlib_buf_error");
    assertThat(gauge(":foo::bar", "")).isEqualTo("foo_bar");
    assertThat(gauge("foo.bar", "1")).isEqualTo("foo_bar_ratio");
    assertThat(gauge("...", "")).isEmpty();
    // deviation from 2.x, which keeps non-ASCII letters (and then drops the series as invalid)
    assertThat(gauge("temp.°C.café", "")).isEqualTo("temp_C_caf");
  }

  @Test
  void cleanUpJoinsAlphanumericRuns() {
    assertThat(PrometheusNames.cleanUp("")).isEmpty();
    assertThat(PrometheusNames.cleanUp("a b")).isEqualTo("a_b");
    assertThat(PrometheusNames.cleanUp("hello, world!")).isEqualTo("hello_world");
    assertThat(PrometheusNames.cleanUp("hello you 2")).isEqualTo("hello_you_2");
    assertThat(PrometheusNames.cleanUp("$1000")).isEqualTo("1000");
    assertThat(PrometheusNames.cleanUp("*+$^=)")).isEmpty();
  }

  @Test
  void labelNames() {
    assertThat(PrometheusNames.labelName("")).isEmpty();
    assertThat(PrometheusNames.labelName("label:with:colons")).isEqualTo("label_with_colons");
    assertThat(PrometheusNames.labelName("LabelWithCapitalLetters")).isEqualTo("LabelWithCapitalLetters");
    assertThat(PrometheusNames.labelName("label!with&special$chars)")).isEqualTo("label_with_special_chars_");
    assertThat(PrometheusNames.labelName("label.with.dots")).isEqualTo("label_with_dots");
    assertThat(PrometheusNames.labelName("123label")).isEqualTo("key_123label");
    assertThat(PrometheusNames.labelName("_label_starting_with_underscore"))
        .isEqualTo("key_label_starting_with_underscore");
    assertThat(PrometheusNames.labelName("__label_starting_with_2underscores"))
        .isEqualTo("__label_starting_with_2underscores");
    assertThat(PrometheusNames.labelName("_")).isEqualTo("key_");
    assertThat(PrometheusNames.labelName("__name__")).isEqualTo("__name__");
    // one underscore per code point, also outside the BMP
    assertThat(PrometheusNames.labelName("a\uD83D\uDE00b")).isEqualTo("a_b");
    assertThat(PrometheusNames.labelName("k\u00fcche")).isEqualTo("k_che");
  }

  @Test
  void formatsFloatsAsGoDoesForLe() {
    assertThat(PrometheusNames.formatFloat(0.005)).isEqualTo("0.005");
    assertThat(PrometheusNames.formatFloat(1)).isEqualTo("1");
    assertThat(PrometheusNames.formatFloat(100)).isEqualTo("100");
    assertThat(PrometheusNames.formatFloat(-2.5)).isEqualTo("-2.5");
    assertThat(PrometheusNames.formatFloat(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(PrometheusNames.formatFloat(1e21)).isEqualTo("1000000000000000000000");
    assertThat(PrometheusNames.formatFloat(1e-7)).isEqualTo("0.0000001");
    assertThat(PrometheusNames.formatFloat(2e-3)).isEqualTo("0.002");
    assertThat(PrometheusNames.formatFloat(0)).isEqualTo("0");
    assertThat(PrometheusNames.formatFloat(-0.0)).isEqualTo("-0");
    assertThat(PrometheusNames.formatFloat(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PrometheusNames.formatFloat(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(PrometheusNames.formatFloat(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void formatsAttributeDoublesAsJavaScript() {
    assertThat(AttributeValues.es6(0.5)).isEqualTo("0.5");
    assertThat(AttributeValues.es6(1e-6)).isEqualTo("0.000001");
    assertThat(AttributeValues.es6(1e-7)).isEqualTo("1e-7");
    assertThat(AttributeValues.es6(-1.5e-7)).isEqualTo("-1.5e-7");
    assertThat(AttributeValues.es6(1.5e-10)).isEqualTo("1.5e-10");
    assertThat(AttributeValues.es6(1e21)).isEqualTo("1e+21");
    assertThat(AttributeValues.es6(1.2345e100)).isEqualTo("1.2345e+100");
    assertThat(AttributeValues.es6(123456789012345680000.0)).isEqualTo("123456789012345680000");
    assertThat(AttributeValues.es6(42)).isEqualTo("42");
  }
}
