package io.flock.link.wire;

import io.flock.core.InvalidInputException;
import io.flock.proto.v1.CohortRule;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Staged rollout cohorts, decided identically by the coordinator and every device: a device is in a cohort when its
 * bucket, the first 4 bytes of SHA-256(salt + "/" + device id) as an unsigned integer mod {@link #ALL}, is below the
 * rule's basis points and it has every label the rule lists. A later stage only raises the basis points with the same
 * salt, so each stage's cohort holds the one before. Stateless.
 */
public final class Cohorts {
    /** Basis points of a whole fleet. */
    public static final int ALL = 10_000;

    private Cohorts() {
    }

    /** @return the device's bucket under the salt, in [0, {@link #ALL}) */
    public static int bucket(String salt, String deviceId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((salt + "/" + deviceId).getBytes(StandardCharsets.UTF_8));
            long v = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
            return (int) (v % ALL);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @param labels the device's labels (hardware=...)
     * @return whether the device is in the rule's cohort
     */
    public static boolean contains(CohortRule rule, String deviceId, Map<String, String> labels) {
        for (Map.Entry<String, String> want : rule.getLabelsMap().entrySet()) {
            if (!want.getValue().equals(labels.get(want.getKey()))) {
                return false;
            }
        }
        return bucket(rule.getSalt(), deviceId) < rule.getBasisPoints();
    }

    /**
     * What one device should run, from its model's announcement: the canary's version when the device is in the
     * rollout's cohort, else the announced production version (without the canary, which concerns others).
     *
     * @param labels the device's labels
     */
    public static ModelAnnouncement assigned(ModelAnnouncement a, String deviceId, Map<String, String> labels) {
        if (!a.hasCanary()) {
            return a;
        }
        if (contains(a.getCanary().getCohort(), deviceId, labels)) {
            ModelAnnouncement canary = a.getCanary().getVersion();
            return a.hasDriftBins() && !canary.hasDriftBins() ? canary.toBuilder().setDriftBins(a.getDriftBins()).build() : canary;
        }
        return a.toBuilder().clearCanary().build();
    }

    /**
     * @param percent a stage's cohort share, in (0, 100]
     * @return its basis points
     * @throws InvalidInputException outside (0, 100] or finer than a basis point
     */
    public static int basisPoints(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new InvalidInputException("a stage's share must be in (0, 100] percent, got " + percent);
        }
        double bp = percent * 100;
        if (Math.abs(bp - Math.rint(bp)) > 1e-6) {
            throw new InvalidInputException("a stage's share must be a whole number of basis points (0.01 %), got " + percent);
        }
        return (int) Math.rint(bp);
    }
}
