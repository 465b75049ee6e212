package io.clymene.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts on one machine: Linux network namespaces, each with its own address on a private bridge, made
 * with iproute2 ({@code ip netns add}, veth pairs). The test process stays in the root namespace and reaches
 * every host (and is reached from them) at the bridge's address. Needs root (CAP_NET_ADMIN);
 * {@link #tryCreate} returns null, with the reason, where that is not possible, and the caller falls back to
 * distinct ports on 127.0.0.1. Names and the subnet are random per use, so parallel test JVMs do not collide.
 */
public final class NetNamespaces implements AutoCloseable {
  private final String bridge;
  private final int subnet;
  private final List<String> names = new ArrayList<>();

  private NetNamespaces(String bridge, int subnet) {
    this.bridge = bridge;
    this.subnet = subnet;
  }

  /** Why the last {@link #tryCreate} returned null. */
  private static volatile String unavailable = "";

  /** {@code n} hosts, or null when namespaces cannot be made here ({@link #whyNot()} says why). */
  public static NetNamespaces tryCreate(int n) {
    String tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
    NetNamespaces ns = new NetNamespaces("clyb" + tag, ThreadLocalRandom.current().nextInt(16, 250));
    try {
      ns.run("ip", "link", "add", ns.bridge, "type", "bridge");
      ns.run("ip", "addr", "add", ns.hostAddress() + "/24", "dev", ns.bridge);
      ns.run("ip", "link", "set", ns.bridge, "up");
      for (int i = 0; i < n; i++) {
        String name = "cly" + tag + (char) ('a' + i);
        String veth = "clv" + tag + (char) ('a' + i);
        ns.run("ip", "netns", "add", name);
        ns.names.add(name);
        ns.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name);
        ns.run("ip", "link", "set", veth, "master", ns.bridge, "up");
        ns.run("ip", "-n", name, "addr", "add", ns.address(i) + "/24", "dev", "eth0");
        ns.run("ip", "-n", name, "link", "set", "eth0", "up");
        ns.run("ip", "-n", name, "link", "set", "lo", "up");
      }
      return ns;
    } catch (IOException e) {
      unavailable = e.getMessage();
      ns.close();
      return null;
    }
  }

  /** Why namespaces could not be made. */
  public static String whyNot() {
    return unavailable;
  }

  /** The test process' address on the bridge (root namespace). */
  public String hostAddress() {
    return "10.231." + subnet + ".1";
  }

  /** Host {@code i}'s address. */
  public String address(int i) {
    return "10.231." + subnet + "." + (11 + i);
  }

  /**
   * Gives every host the same name resolution: {@code name} resolves to the given hosts' addresses (through
   * {@code /etc/netns/<namespace>/hosts}, which {@code ip netns exec} mounts over {@code /etc/hosts}), as a
   * headless Service's DNS name lists its pods.
   */
  public void resolve(String name, int... hostIndexes) throws IOException {
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    for (int i : hostIndexes) {
      hosts.append(address(i)).append(' ').append(name).append('\n');
    }
    for (String ns : names) {
      java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", ns);
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.writeString(dir.resolve("hosts"), hosts);
    }
  }

  /** The command prefix that runs a program in host {@code i}. */
  public List<String> exec(int i) {
    return List.of("ip", "netns", "exec", names.get(i));
  }

  @Override
  public void close() {
    for (String name : names) {
      quietly("ip", "netns", "delete", name);
      quietly("rm", "-rf", "/etc/netns/" + name);
    }
    quietly("ip", "link", "delete", bridge);
  }

  private void run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": no answer in 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
          + new String(p.getInputStream().readAllBytes()).trim());
    }
  }

  private void quietly(String... cmd) {
    try {
      run(cmd);
    } catch (IOException e) {
      // already gone
    }
  }
}
