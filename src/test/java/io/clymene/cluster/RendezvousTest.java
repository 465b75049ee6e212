package io.clymene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static final List<String> THREE = List.of("10.0.0.1:5801", "10.0.0.2:5801", "10.0.0.3:5801");

  private static long[] hashes(int n) {
    SplittableRandom r = new SplittableRandom(42);
    long[] h = new long[n];
    for (int i = 0; i < n; i++) {
      h[i] = r.nextLong();
    }
    return h;
  }

  @Test
  void everyMemberComputesTheSameOwnersWhateverTheOrderItListsMembersIn() {
    Rendezvous a = new Rendezvous(THREE);
    Rendezvous b = new Rendezvous(List.of(THREE.get(2), THREE.get(0), THREE.get(1)));
    for (long h : hashes(1000)) {
      assertThat(b.owners(h, 1)).isEqualTo(a.owners(h, 1));
      assertThat(b.owners(h, 2)).isEqualTo(a.owners(h, 2));
    }
  }

  @Test
  void targetsSpreadEvenlyOverTheMembers() {
    Rendezvous r = new Rendezvous(THREE);
    Map<String, Integer> counts = new HashMap<>();
    for (long h : hashes(30_000)) {
      counts.merge(r.owners(h, 1).get(0), 1, Integer::sum);
    }
    assertThat(counts).hasSize(3);
    counts.values().forEach(c -> assertThat(c).isBetween(9_000, 11_000));
  }

  @Test
  void whenAMemberLeavesOnlyItsTargetsMoveAndWhenOneJoinsOnlyTheTargetsItWinsMove() {
    Rendezvous three = new Rendezvous(THREE);
    Rendezvous two = new Rendezvous(THREE.subList(0, 2));
    List<String> four = new ArrayList<>(THREE);
    four.add("10.0.0.4:5801");
    Rendezvous withFourth = new Rendezvous(four);
    int movedToFourth = 0;
    for (long h : hashes(10_000)) {
      String before = three.owners(h, 1).get(0);
      String afterLeave = two.owners(h, 1).get(0);
      if (!before.equals(THREE.get(2))) {
        assertThat(afterLeave).as("a target of a member that stayed does not move").isEqualTo(before);
      }
      String afterJoin = withFourth.owners(h, 1).get(0);
      if (!afterJoin.equals(before)) {
        assertThat(afterJoin).as("a target moves only to the new member").isEqualTo("10.0.0.4:5801");
        movedToFourth++;
      }
    }
    assertThat(movedToFourth).as("about a quarter of the targets move to the 4th member").isBetween(2_000, 3_000);
  }

  @Test
  void replicasAreDistinctMembersLedByTheSingleOwner() {
    Rendezvous r = new Rendezvous(THREE);
    for (long h : hashes(1000)) {
      List<String> two = r.owners(h, 2);
      assertThat(two).hasSize(2).doesNotHaveDuplicates();
      assertThat(two.get(0)).isEqualTo(r.owners(h, 1).get(0));
      assertThat(r.owners(h, 3)).containsExactlyInAnyOrderElementsOf(THREE).startsWith(two.toArray(String[]::new));
    }
    assertThat(r.owners(7, 5)).as("capped at the number of members").hasSize(3);
    assertThat(new Rendezvous(List.of()).owners(7, 1)).isEmpty();
  }
}
