package io.clymene.agent.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Addresses written as Go writes them (net.IP.String and net.JoinHostPort). */
class DnsTargetsTest {

  @Test
  void ipv6InTheShortFormGoPrints() {
    assertThat(DnsTargets.canonicalIp("2001:db8:0:0:0:0:0:1")).isEqualTo("2001:db8::1");
    assertThat(DnsTargets.canonicalIp("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(DnsTargets.canonicalIp("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(DnsTargets.canonicalIp("fe80:0:0:0:1:0:0:1")).isEqualTo("fe80::1:0:0:1");
    assertThat(DnsTargets.canonicalIp("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(DnsTargets.canonicalIp("2001:DB8:0:0:1:0:0:0")).isEqualTo("2001:db8:0:0:1::");
    assertThat(DnsTargets.canonicalIp("192.0.2.1")).isEqualTo("192.0.2.1");
  }

  @Test
  void hostPortBracketsIpv6() {
    assertThat(DnsTargets.hostPort("2001:db8::1", 9100)).isEqualTo("[2001:db8::1]:9100");
    assertThat(DnsTargets.hostPort("192.0.2.1", 9100)).isEqualTo("192.0.2.1:9100");
    assertThat(DnsTargets.hostPort("web.example.test", 80)).isEqualTo("web.example.test:80");
    assertThat(DnsTargets.hostPort("", 80)).isEqualTo(":80");
  }
}
