package io.clymene.agent.discovery.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * The records a test {@link Dnsmasq} serves, as dnsmasq options; immutable, each method returns a copy
 * with one record more. Names are written without the trailing dot.
 *
 * <pre>{@code
 * DnsRecords records = DnsRecords.local("example.test")
 *     .a("web.example.test", "192.0.2.1")
 *     .srv("_http._tcp.example.test", "web.example.test", 8080);
 * }</pre>
 */
public final class DnsRecords {
  private final List<String> options;

  private DnsRecords(List<String> options) {
    this.options = List.copyOf(options);
  }

  /** No records; every name is refused (dnsmasq has no upstream server). */
  public static DnsRecords none() {
    return new DnsRecords(List.of());
  }

  /** No records yet; names under {@code domain} that have none get NXDOMAIN, other names are refused. */
  public static DnsRecords local(String domain) {
    return none().with("local=/" + domain + "/");
  }

  /** An A record. */
  public DnsRecords a(String name, String ipv4) {
    return with("host-record=" + name + "," + ipv4);
  }

  /** An AAAA record. */
  public DnsRecords aaaa(String name, String ipv6) {
    return with("host-record=" + name + "," + ipv6);
  }

  /** An SRV record with priority and weight 0. */
  public DnsRecords srv(String name, String target, int port) {
    return srv(name, target, port, 0, 0);
  }

  /** An SRV record; {@code name} must look like {@code _service._proto.domain}. */
  public DnsRecords srv(String name, String target, int port, int priority, int weight) {
    return with("srv-host=" + name + "," + target + "," + port + "," + priority + "," + weight);
  }

  /** An MX record. */
  public DnsRecords mx(String name, String target, int preference) {
    return with("mx-host=" + name + "," + target + "," + preference);
  }

  /** A CNAME; dnsmasq serves it only when the target has a record here. */
  public DnsRecords cname(String alias, String target) {
    return with("cname=" + alias + "," + target);
  }

  /** Any other dnsmasq option, as in its configuration file ({@code key=value}). */
  public DnsRecords with(String option) {
    List<String> copy = new ArrayList<>(options);
    copy.add(option);
    return new DnsRecords(copy);
  }

  /** The text of a dnsmasq configuration file with these records. */
  String configFile() {
    return options.isEmpty() ? "" : String.join("\n", options) + "\n";
  }

  @Override
  public String toString() {
    return options.toString();
  }
}
