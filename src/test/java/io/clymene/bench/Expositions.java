package io.clymene.bench;

import java.nio.charset.StandardCharsets;

/** Deterministic node_exporter-like expositions of a chosen size, for benchmarks. */
public final class Expositions {
  private Expositions() {
  }

  /**
   * Families shaped like node_exporter's (counters with cpu/mode, filesystem and network gauges with
   * several labels, histograms with le buckets, HELP and TYPE lines), repeated with new label values
   * until the body reaches {@code bytes}.
   */
  public static byte[] nodeExporterLike(int bytes) {
    StringBuilder sb = new StringBuilder(bytes + 4096);
    int round = 0;
    while (sb.length() < bytes) {
      String r = Integer.toString(round++);
      sb.append("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n");
      sb.append("# TYPE node_cpu_seconds_total counter\n");
      String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
      for (int cpu = 0; cpu < 8; cpu++) {
        for (int m = 0; m < modes.length; m++) {
          sb.append("node_cpu_seconds_total{cpu=\"").append(r).append(cpu).append("\",mode=\"").append(modes[m])
              .append("\"} ").append(123456.78 + cpu * 17.31 + m * 3.5).append('\n');
        }
      }
      sb.append("# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n");
      sb.append("# TYPE node_filesystem_avail_bytes gauge\n");
      for (int fs = 0; fs < 6; fs++) {
        for (String metric : new String[]{"avail_bytes", "free_bytes", "size_bytes", "files", "files_free"}) {
          sb.append("node_filesystem_").append(metric).append("{device=\"/dev/sda").append(fs)
              .append("\",fstype=\"ext4\",mountpoint=\"/mnt/data").append(r).append('_').append(fs).append("\"} ")
              .append(1.23456789e11 + fs * 1000).append('\n');
        }
      }
      sb.append("# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n");
      sb.append("# TYPE node_network_receive_bytes_total counter\n");
      for (int dev = 0; dev < 4; dev++) {
        for (String metric : new String[]{"receive_bytes_total", "transmit_bytes_total", "receive_packets_total",
            "transmit_packets_total", "receive_errs_total", "transmit_drop_total"}) {
          sb.append("node_network_").append(metric).append("{device=\"eth").append(r).append(dev).append("\"} ")
              .append(9876543210L + dev * 11).append('\n');
        }
      }
      sb.append("# HELP http_request_duration_seconds Request latencies.\n");
      sb.append("# TYPE http_request_duration_seconds histogram\n");
      String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
      for (String handler : new String[]{"/api/v1/query", "/metrics"}) {
        long count = 0;
        for (String le : les) {
          count += 17;
          sb.append("http_request_duration_seconds_bucket{handler=\"").append(handler).append(r)
              .append("\",method=\"GET\",le=\"").append(le).append("\"} ").append(count).append('\n');
        }
        sb.append("http_request_duration_seconds_sum{handler=\"").append(handler).append(r)
            .append("\",method=\"GET\"} 42.125\n");
        sb.append("http_request_duration_seconds_count{handler=\"").append(handler).append(r)
            .append("\",method=\"GET\"} ").append(count).append('\n');
      }
      sb.append("node_load1 0.21\nnode_load5 0.35\nnode_memory_MemAvailable_bytes 2.1229568e+10\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
