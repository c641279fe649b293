package io.flock.coordinator.async;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrainingSlotsTest {
    @Test
    void tryStart_upToTheLimitOncePerDevice_thenFinishedFreesASlot() {
        TrainingSlots slots = new TrainingSlots(2);

        assertThat(slots.tryStart("a")).isTrue();
        assertThat(slots.tryStart("a")).as("already training").isFalse();
        assertThat(slots.tryStart("b")).isTrue();
        assertThat(slots.tryStart("c")).as("limit reached").isFalse();
        assertThat(slots.inFlight()).isEqualTo(2);

        assertThat(slots.finished("a")).isTrue();
        assertThat(slots.finished("a")).as("no slot held").isFalse();
        assertThat(slots.tryStart("c")).isTrue();
        assertThat(slots.free()).isZero();
    }
}
