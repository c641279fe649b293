package io.flock.link.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.core.InvalidInputException;
import io.flock.proto.v1.CohortRule;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.RolloutCanary;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CohortsTest {
    private static CohortRule rule(int bp, Map<String, String> labels) {
        return CohortRule.newBuilder().setSalt("r7").setBasisPoints(bp).putAllLabels(labels).build();
    }

    @Test
    void bucketIsTheFirstFourBytesOfTheDigest() {
        assertEquals(Cohorts.bucket("r7", "device-1"), Cohorts.bucket("r7", "device-1"));
        assertTrue(Cohorts.bucket("r7", "device-1") >= 0 && Cohorts.bucket("r7", "device-1") < Cohorts.ALL);
        int same = 0;
        for (int i = 0; i < 1000; i++) {
            same += Cohorts.bucket("r7", "d" + i) == Cohorts.bucket("r8", "d" + i) ? 1 : 0;
        }
        assertTrue(same < 10, "another salt draws other cohorts: " + same + " equal buckets of 1000");
    }

    @Test
    void aStageHoldsItsShareAndEveryEarlierStage() {
        int n = 20_000;
        int[] in = new int[4];
        int[] bps = {100, 1000, 5000, 10_000};
        for (int i = 0; i < n; i++) {
            boolean earlier = false;
            for (int s = 0; s < bps.length; s++) {
                boolean member = Cohorts.contains(rule(bps[s], Map.of()), "dev-" + i, Map.of());
                if (earlier) {
                    assertTrue(member, "dev-" + i + " left the cohort when it grew");
                }
                in[s] += member ? 1 : 0;
                earlier = member;
            }
        }
        assertEquals(0.01, in[0] / (double) n, 0.003);
        assertEquals(0.10, in[1] / (double) n, 0.01);
        assertEquals(0.50, in[2] / (double) n, 0.02);
        assertEquals(n, in[3]);
    }

    @Test
    void labelsNarrowTheCohort() {
        CohortRule r = rule(10_000, Map.of("hardware", "rpi4"));
        assertTrue(Cohorts.contains(r, "a", Map.of("hardware", "rpi4")));
        assertFalse(Cohorts.contains(r, "a", Map.of("hardware", "jetson")));
        assertFalse(Cohorts.contains(r, "a", Map.of()));
    }

    @Test
    void aDeviceRunsTheCanaryOnlyInItsCohort() {
        ModelAnnouncement canary = ModelAnnouncement.newBuilder().setModel("m").setVersion(5).build();
        ModelAnnouncement a = ModelAnnouncement.newBuilder().setModel("m").setVersion(4)
                .setCanary(RolloutCanary.newBuilder().setRolloutId(1).setVersion(canary).setCohort(rule(10_000, Map.of("hardware", "x"))))
                .build();
        assertEquals(5, Cohorts.assigned(a, "d", Map.of("hardware", "x")).getVersion());
        ModelAnnouncement other = Cohorts.assigned(a, "d", Map.of("hardware", "y"));
        assertEquals(4, other.getVersion());
        assertFalse(other.hasCanary());
    }

    @Test
    void stagesAreWholeBasisPointsInRange() {
        assertEquals(50, Cohorts.basisPoints(0.5));
        assertEquals(10_000, Cohorts.basisPoints(100));
        assertThrows(InvalidInputException.class, () -> Cohorts.basisPoints(0));
        assertThrows(InvalidInputException.class, () -> Cohorts.basisPoints(100.5));
        assertThrows(InvalidInputException.class, () -> Cohorts.basisPoints(0.001));
        assertThrows(InvalidInputException.class, () -> Cohorts.basisPoints(Double.NaN));
    }
}
