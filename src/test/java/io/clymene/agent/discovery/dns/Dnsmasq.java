package io.clymene.agent.discovery.dns;

import io.clymene.testing.ExternalServer;
import io.clymene.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dnsmasq for tests, serving only the given {@link DnsRecords} on one loopback address and port
 * (UDP and TCP), in the foreground, with no upstream server and no hosts file. Records live in a
 * configuration file; {@link #update} rewrites it and restarts dnsmasq on the same port (dnsmasq does not
 * reload SRV or MX options on SIGHUP). {@link #stop} takes the server down to test failures; {@link #update}
 * or {@link #restart} brings it back.
 *
 * <pre>{@code
 * try (Dnsmasq dns = Dnsmasq.start(DnsRecords.local("example.test").a("a.example.test", "192.0.2.1"))) {
 *   System.setProperty("clymene.dns.servers", dns.server());   // "127.0.0.1:<port>"
 *   ...
 * }
 * }</pre>
 */
public final class Dnsmasq implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 10_000;

  private final String binary;
  private final Path dir;
  private final String address;
  private final int port;
  private Process process;
  private DnsRecords records;

  private Dnsmasq(String binary, Path dir, String address, int port) {
    this.binary = binary;
    this.dir = dir;
    this.address = address;
    this.port = port;
  }

  /** Starts dnsmasq on 127.0.0.1 and a free port, serving {@code records}; returns when it answers. */
  public static Dnsmasq start(DnsRecords records) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        return start(records, "127.0.0.1", freeUdpPort());
      } catch (IOException e) {
        last = e; // the port was taken in between: try another
      }
    }
    throw last;
  }

  /** Starts dnsmasq on the given address and port (53 needs root), serving {@code records}. */
  public static Dnsmasq start(DnsRecords records, String address, int port) throws IOException {
    String binary = ExternalServer.requireBinary("dnsmasq", "dnsmasq-base");
    Dnsmasq d = new Dnsmasq(binary, Files.createTempDirectory("clymene-dnsmasq-"), address, port);
    try {
      d.launch(records);
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** The address it listens on. */
  public String address() {
    return address;
  }

  /** {@code address:port} (IPv6 in brackets), as {@code clymene.dns.servers} takes it. */
  public String server() {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  /** The records served now. */
  public synchronized DnsRecords records() {
    return records;
  }

  /** Serves {@code records} from now on: restarts dnsmasq on the same port (starts it when stopped). */
  public synchronized void update(DnsRecords records) throws IOException {
    stop();
    launch(records);
  }

  /** Starts a stopped dnsmasq again with its last records. */
  public synchronized void restart() throws IOException {
    update(records);
  }

  /** Stops dnsmasq (SIGTERM) and waits until it has exited; the port answers nothing until restarted. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public synchronized void close() {
    stop();
    TempDirs.delete(dir);
  }

  private void launch(DnsRecords records) throws IOException {
    Path conf = dir.resolve("records.conf");
    Path log = dir.resolve("dnsmasq.log");
    Files.writeString(conf, records.configFile());
    List<String> cmd = new ArrayList<>(List.of(binary,
        "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
        "--listen-address=" + address, "--port=" + port,
        "--pid-file=" + dir.resolve("dnsmasq.pid"), "--conf-file=" + conf, "--log-facility=-"));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.add("--user=root"); // no switch to 'nobody', who could not read the temp directory
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    this.process = p;
    this.records = records;
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!answers()) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        stop();
        throw new IOException("dnsmasq did not start on " + server() + ": " + Files.readString(log).strip());
      }
    }
  }

  /** Whether something answers a DNS query on the port (any answer will do; unknown names are refused). */
  private boolean answers() {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(100);
      byte[] query = probe();
      s.send(new DatagramPacket(query, query.length, new InetSocketAddress(InetAddress.getByName(address), port)));
      byte[] buf = new byte[512];
      DatagramPacket answer = new DatagramPacket(buf, buf.length);
      s.receive(answer);
      return answer.getLength() >= 12 && buf[0] == query[0] && buf[1] == query[1];
    } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A query for the A records of "probe.invalid". */
  private static byte[] probe() {
    byte[] header = {0x7a, 0x11, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    byte[] name = "\u0005probe\u0007invalid\u0000".getBytes(StandardCharsets.US_ASCII);
    byte[] q = new byte[header.length + name.length + 4];
    System.arraycopy(header, 0, q, 0, header.length);
    System.arraycopy(name, 0, q, header.length, name.length);
    q[q.length - 3] = 1; // type A
    q[q.length - 1] = 1; // class IN
    return q;
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
