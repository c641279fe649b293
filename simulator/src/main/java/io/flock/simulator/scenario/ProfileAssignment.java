package io.flock.simulator.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Gives each device a profile: counts by largest remainder of the shares, order shuffled by the seed. */
final class ProfileAssignment {
    private ProfileAssignment() {
    }

    static List<DeviceProfile> assign(List<DeviceProfile> profiles, int devices, long seed) {
        int[] counts = new int[profiles.size()];
        double[] remainder = new double[profiles.size()];
        int given = 0;
        for (int i = 0; i < counts.length; i++) {
            double exact = profiles.get(i).share() * devices;
            counts[i] = (int) Math.floor(exact);
            remainder[i] = exact - counts[i];
            given += counts[i];
        }
        while (given < devices) {
            int best = 0;
            for (int i = 1; i < remainder.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            counts[best]++;
            remainder[best] = -1;
            given++;
        }
        List<DeviceProfile> out = new ArrayList<>(devices);
        for (int i = 0; i < counts.length; i++) {
            for (int k = 0; k < counts[i]; k++) {
                out.add(profiles.get(i));
            }
        }
        Collections.shuffle(out, new Random(seed));
        return out;
    }
}
