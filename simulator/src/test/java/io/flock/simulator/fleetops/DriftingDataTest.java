package io.flock.simulator.fleetops;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.data.FloatDataset;
import org.junit.jupiter.api.Test;

class DriftingDataTest {
    private static final int SIDE = 28;

    /** One image whose pixel (r, c) is r * 28 + c scaled into 0..250, labelled 3; a second labelled 8. */
    private static FloatDataset images() {
        float[] x = new float[2 * SIDE * SIDE];
        for (int i = 0; i < SIDE * SIDE; i++) {
            x[i] = 250f * i / (SIDE * SIDE);
            x[SIDE * SIDE + i] = 10;
        }
        return new FloatDataset(x, new int[] {3, 8}, SIDE * SIDE);
    }

    private static DriftingData drifted(DriftSpec.Kind kind, double magnitude, boolean on) {
        DriftSwitch s = new DriftSwitch();
        if (on) {
            s.on();
        }
        return new DriftingData(images(), new DriftSpec(kind, 1, 1, "", magnitude), s, 10, 0);
    }

    private static float[] row(DriftingData d, int i) {
        float[] x = new float[SIDE * SIDE];
        d.copyRawFeatures(i, x, 0);
        return x;
    }

    @Test
    void beforeTheDrift_theDataIsAsItWas() {
        DriftingData d = drifted(DriftSpec.Kind.BRIGHTNESS, 80, false);
        assertThat(row(d, 0)[100]).isEqualTo(250f * 100 / (SIDE * SIDE));
        assertThat(d.label(0)).isEqualTo(3);
    }

    @Test
    void brightness_addsAndClipsAt255() {
        DriftingData d = drifted(DriftSpec.Kind.BRIGHTNESS, 80, true);
        assertThat(row(d, 0)[0]).isEqualTo(80f);
        assertThat(row(d, 0)[SIDE * SIDE - 1]).isEqualTo(255f);
    }

    @Test
    void rotation_turnsAQuarter() {
        float[] original = row(drifted(DriftSpec.Kind.ROTATION, 1, false), 0);
        float[] turned = row(drifted(DriftSpec.Kind.ROTATION, 1, true), 0);
        // pixel (r, c) moves to (c, 27 - r)
        assertThat(turned[5 * SIDE + (SIDE - 1 - 2)]).isEqualTo(original[2 * SIDE + 5]);
        float[] twice = row(drifted(DriftSpec.Kind.ROTATION, 2, true), 0);
        assertThat(twice[(SIDE - 1) * SIDE + (SIDE - 1)]).isEqualTo(original[0]);
    }

    @Test
    void noise_isTheSameOnEveryRead_andStaysInRange() {
        DriftingData d = drifted(DriftSpec.Kind.NOISE, 60, true);
        float[] a = row(d, 1);
        assertThat(a).containsExactly(row(d, 1));
        int changed = 0;
        for (float v : a) {
            assertThat(v).isBetween(0f, 255f);
            changed += v != 10f ? 1 : 0;
        }
        assertThat(changed).as("pixels the noise moved").isGreaterThan(SIDE * SIDE / 2);
    }

    @Test
    void conceptDrift_movesLabels_andLabelShift_narrowsWhatIsSeen() {
        DriftingData concept = drifted(DriftSpec.Kind.CONCEPT, 1, true);
        assertThat(concept.label(0)).isEqualTo(4);
        assertThat(concept.label(1)).isEqualTo(9);
        assertThat(row(concept, 1)[0]).as("inputs unchanged").isEqualTo(10f);
        DriftingData shift = drifted(DriftSpec.Kind.LABEL_SHIFT, 5, true);
        assertThat(shift.keeps(0)).isTrue();
        assertThat(shift.keeps(1)).isFalse();
        assertThat(drifted(DriftSpec.Kind.LABEL_SHIFT, 5, false).keeps(1)).isTrue();
    }

    @Test
    void aDriftHitsItsShareOrItsProfile() {
        DriftSpec share = new DriftSpec(DriftSpec.Kind.NOISE, 1, 0.3, "", 10);
        long hit = java.util.stream.IntStream.range(0, 10_000).filter(i -> share.hits(i, 7, "x")).count();
        assertThat(hit).isBetween(2700L, 3300L);
        DriftSpec profile = new DriftSpec(DriftSpec.Kind.NOISE, 1, 1, "kiosk", 10);
        assertThat(profile.hits(0, 7, "kiosk")).isTrue();
        assertThat(profile.hits(0, 7, "phone")).isFalse();
    }
}
