package io.clymene.agent.discovery.dns;

import io.clymene.model.Labels;
import io.netty.util.NetUtil;
import io.vertx.core.dns.MxRecord;
import io.vertx.core.dns.SrvRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the records of one name into targets with the labels Prometheus 2.42 gives them:
 * {@code __address__} (host without the trailing dot, or IP, and port; IPv6 in brackets),
 * {@code __meta_dns_name} (the name as configured), and for SRV {@code __meta_dns_srv_record_target}
 * (with the trailing dot) and {@code __meta_dns_srv_record_port}, for MX {@code __meta_dns_mx_record_target}
 * (with the trailing dot).
 */
final class DnsTargets {
  static final String NAME = "__meta_dns_name";
  static final String SRV_TARGET = "__meta_dns_srv_record_target";
  static final String SRV_PORT = "__meta_dns_srv_record_port";
  static final String MX_TARGET = "__meta_dns_mx_record_target";

  private DnsTargets() {
  }

  /**
   * @param name the name as configured
   * @param port the configured port, for A, AAAA and MX records
   * @param records what {@link DnsResolver#lookup} found
   */
  static List<Labels> of(String name, int port, List<?> records) {
    List<Labels> targets = new ArrayList<>(records.size());
    for (Object record : records) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put(NAME, name);
      if (record instanceof SrvRecord srv) {
        // Vert.x drops the root's dot; a target of just "." (no service) comes back as null
        String host = srv.target() == null ? "" : srv.target();
        labels.put(SRV_TARGET, host + ".");
        labels.put(SRV_PORT, Integer.toString(srv.port()));
        labels.put("__address__", hostPort(host, srv.port()));
      } else if (record instanceof MxRecord mx) {
        String host = mx.name() == null ? "" : mx.name();
        labels.put(MX_TARGET, host + ".");
        labels.put("__address__", hostPort(host, port));
      } else if (record instanceof String ip) {
        labels.put("__address__", hostPort(canonicalIp(ip), port));
      } else {
        continue;
      }
      targets.add(Labels.of(labels));
    }
    return targets;
  }

  /** host:port as Go's net.JoinHostPort writes it: a host with a colon goes in brackets. */
  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * An IP address as Go prints it: IPv6 in the RFC 5952 short form ({@code 2001:db8::1}, where Java
   * writes {@code 2001:db8:0:0:0:0:0:1}); IPv4 (including IPv4-mapped IPv6, which Java already gives
   * as IPv4) unchanged.
   */
  static String canonicalIp(String ip) {
    if (ip.indexOf(':') < 0) {
      return ip;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
    return bytes == null ? ip : NetUtil.bytesToIpAddress(bytes);
  }
}
