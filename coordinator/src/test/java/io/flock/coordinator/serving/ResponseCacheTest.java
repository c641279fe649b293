package io.flock.coordinator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseCacheTest {
    private static final float[] A = {1, 2, 3};
    private static final float[] B = {1, 2, 4};

    @Test
    void get_sameModelVersionAndInput_hit_elseMiss() {
        ResponseCache c = new ResponseCache(10, 1 << 20);
        c.put("m", 1, A, new float[] {0.9f, 0.1f});

        assertThat(c.get("m", 1, new float[] {1, 2, 3})).containsExactly(0.9f, 0.1f);
        assertThat(c.get("m", 1, B)).isNull();
        assertThat(c.get("m", 2, A)).isNull();
        assertThat(c.get("other", 1, A)).isNull();
        assertThat(c.hits()).isEqualTo(1);
        assertThat(c.misses()).isEqualTo(3);
    }

    @Test
    void put_pastTheEntryBound_evictsTheLeastRecentlyUsed() {
        ResponseCache c = new ResponseCache(2, 1 << 20);
        c.put("m", 1, A, new float[] {1});
        c.put("m", 1, B, new float[] {2});
        c.get("m", 1, A); // A is now the most recently used

        c.put("m", 1, new float[] {9}, new float[] {3});

        assertThat(c.size()).isEqualTo(2);
        assertThat(c.get("m", 1, A)).containsExactly(1f);
        assertThat(c.get("m", 1, B)).isNull();
    }

    @Test
    void put_pastTheByteBound_evictsUntilItFits_andATooLargeEntryIsNotKept() {
        // an entry of 3 inputs and 1 output: 12 + 4 + 96 = 112 bytes
        ResponseCache c = new ResponseCache(100, 250);
        c.put("m", 1, A, new float[] {1});
        c.put("m", 1, B, new float[] {2});
        assertThat(c.bytes()).isEqualTo(224);

        c.put("m", 1, new float[] {7, 7, 7}, new float[] {3});
        c.put("m", 1, new float[1000], new float[] {4});

        assertThat(c.size()).isEqualTo(2);
        assertThat(c.bytes()).isEqualTo(224);
        assertThat(c.get("m", 1, new float[1000])).isNull();
    }

    @Test
    void invalidate_dropsTheModelsOtherVersionsOnly() {
        ResponseCache c = new ResponseCache(10, 1 << 20);
        c.put("m", 1, A, new float[] {1});
        c.put("m", 2, A, new float[] {2});
        c.put("n", 1, A, new float[] {3});

        c.invalidate("m", 2);

        assertThat(c.get("m", 1, A)).isNull();
        assertThat(c.get("m", 2, A)).containsExactly(2f);
        assertThat(c.get("n", 1, A)).containsExactly(3f);
        assertThat(c.size()).isEqualTo(2);
    }

    @Test
    void put_answerChangedByTheCallerAfterwards_cacheKeepsItsOwnCopy() {
        ResponseCache c = new ResponseCache(10, 1 << 20);
        float[] in = {5, 5};
        float[] out = {0.5f};
        c.put("m", 1, in, out);
        in[0] = 6;
        out[0] = 0.7f;

        assertThat(c.get("m", 1, new float[] {5, 5})).containsExactly(0.5f);
        c.get("m", 1, new float[] {5, 5})[0] = 0f;
        assertThat(c.get("m", 1, new float[] {5, 5})).containsExactly(0.5f);
    }
}
