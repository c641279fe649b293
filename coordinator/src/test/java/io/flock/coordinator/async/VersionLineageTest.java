package io.flock.coordinator.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.round.RoundClosedException;
import org.junit.jupiter.api.Test;

class VersionLineageTest {
    @Test
    void staleness_versionsPublishedSinceTheBase() {
        VersionLineage lineage = new VersionLineage(4);
        lineage.produced(5);
        lineage.produced(9); // version numbers need not be consecutive: another model's versions share the sequence

        assertThat(lineage.staleness(9)).isZero();
        assertThat(lineage.staleness(5)).isEqualTo(1);
        assertThat(lineage.staleness(4)).isEqualTo(2);
        assertThat(lineage.current()).isEqualTo(9);
    }

    @Test
    void staleness_baseNeverProduced_refusedWithReason() {
        VersionLineage lineage = new VersionLineage(4);

        assertThatThrownBy(() -> lineage.staleness(77)).isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("version 77, which this engine never produced")
                .satisfies(e -> assertThat(((RoundClosedException) e).reason()).isEqualTo("unknown_base"));
    }

    @Test
    void produced_twice_refused() {
        VersionLineage lineage = new VersionLineage(4);
        assertThatThrownBy(() -> lineage.produced(4)).isInstanceOf(IllegalArgumentException.class);
    }
}
