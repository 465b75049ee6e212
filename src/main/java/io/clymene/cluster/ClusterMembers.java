package io.clymene.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryEventType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process' view of the cluster's members, from Hazelcast's membership: who is there, under which
 * name and role, and which members scrape. Listeners hear of every join and leave (a crashed member leaves
 * when its failure timeout has passed, or at once when its connections are refused) and of every member that
 * announces its stop ({@link #announceStop}), on a Hazelcast thread.
 */
public final class ClusterMembers {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembers.class);

  private final HazelcastInstance hazelcast;
  private final String self;
  /** Members about to stop (name → when), replicated to every member; entries expire after a minute. */
  static final String LEAVING = "clymene.leaving";

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final UUID registration;
  private final ReplicatedMap<String, Long> leaving;
  private final UUID leavingRegistration;

  private ClusterMembers(HazelcastInstance hazelcast, String self) {
    this.hazelcast = hazelcast;
    this.self = self;
    this.leaving = hazelcast.getReplicatedMap(LEAVING);
    this.leavingRegistration = leaving.addEntryListener(new EntryAdapter<String, Long>() {
      @Override
      public void onEntryEvent(EntryEvent<String, Long> event) {
        if (event.getEventType() == EntryEventType.ADDED || event.getEventType() == EntryEventType.UPDATED) {
          LOG.info("cluster: {} is stopping; its targets move now", event.getKey());
        }
        changed();
      }
    });
    leaving.remove(self); // back after a stop: take part again
    this.registration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LOG.info("cluster: {} joined ({} member(s))", describe(event.getMember()), event.getMembers().size());
        changed();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        LOG.warn("cluster: {} left ({} member(s))", describe(event.getMember()), event.getMembers().size());
        changed();
      }
    });
  }

  /** The members of the cluster a started cluster manager joined. */
  public static ClusterMembers of(HazelcastClusterManager manager, ClusterOptions options) {
    return new ClusterMembers(manager.getHazelcastInstance(), options.memberName());
  }

  /** This member's name. */
  public String self() {
    return self;
  }

  /** Calls {@code listener} (on a Hazelcast thread) whenever a member joins or leaves. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * The names of the members that scrape (agents and all-in-ones), this one included if it scrapes, without
   * those that announced they are stopping.
   */
  public List<String> scraping() {
    TreeSet<String> names = new TreeSet<>();
    Set<String> stopping = Set.copyOf(leaving.keySet());
    for (Member m : hazelcast.getCluster().getMembers()) {
      if ("true".equals(m.getAttribute(HazelcastSetup.SCRAPES)) && !stopping.contains(name(m))) {
        String name = name(m);
        if (!names.add(name)) {
          LOG.error("cluster: two members are named '{}'; give each its own cluster.member_name, else both "
              + "scrape the same targets", name);
        }
      }
    }
    return new ArrayList<>(names);
  }

  /** Every member (name, role, address, whether it is this process), for status pages. */
  public JsonArray describeAll() {
    JsonArray list = new JsonArray();
    for (Member m : hazelcast.getCluster().getMembers()) {
      list.add(new JsonObject().put("name", name(m)).put("role", m.getAttribute(HazelcastSetup.ROLE))
          .put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort()).put("self", m.localMember()));
    }
    return list;
  }

  /**
   * Tells the other members that this one is stopping, so that they take over its targets now rather than
   * when it has left the cluster (after its writers flushed). Its own share becomes empty too.
   */
  public void announceStop() {
    try {
      leaving.put(self, System.currentTimeMillis(), 1, TimeUnit.MINUTES);
    } catch (RuntimeException e) {
      LOG.warn("cluster: could not announce the stop: {}", e.toString());
    }
  }

  /** Stops listening (the cluster manager itself is closed with Vert.x). */
  public void close() {
    listeners.clear();
    try {
      hazelcast.getCluster().removeMembershipListener(registration);
      leaving.removeEntryListener(leavingRegistration);
    } catch (RuntimeException e) {
      // already shut down
    }
  }

  private void changed() {
    for (Runnable r : listeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("cluster: a membership listener failed: {}", e.toString(), e);
      }
    }
  }

  private static String name(Member m) {
    String n = m.getAttribute(HazelcastSetup.MEMBER_NAME);
    return n != null ? n : m.getAddress().getHost() + ":" + m.getAddress().getPort();
  }

  private static String describe(Member m) {
    return name(m) + " (" + m.getAttribute(HazelcastSetup.ROLE) + ", " + m.getAddress() + ")";
  }
}
