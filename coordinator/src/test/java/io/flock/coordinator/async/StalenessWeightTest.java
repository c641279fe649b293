package io.flock.coordinator.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class StalenessWeightTest {
    @Test
    void sqrt_handValues() {
        StalenessWeight w = StalenessWeight.of("sqrt", 0);
        assertThat(w.weight(0)).isEqualTo(1.0);
        assertThat(w.weight(1)).isEqualTo(0.5);
        assertThat(w.weight(4)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(w.weight(9)).isEqualTo(0.25);
    }

    @Test
    void polynomial_handValues() {
        StalenessWeight w = StalenessWeight.of("polynomial", 0.5);
        assertThat(w.weight(0)).isEqualTo(1.0);
        assertThat(w.weight(3)).isEqualTo(0.5);
        assertThat(StalenessWeight.polynomial(1).weight(4)).isEqualTo(0.2);
        assertThat(StalenessWeight.polynomial(0).weight(1000)).isEqualTo(1.0);
    }

    @Test
    void of_unknownRuleOrBadExponent_namesTheKey() {
        assertThatThrownBy(() -> StalenessWeight.of("linear", 1)).isInstanceOf(ConfigException.class).hasMessageContaining("async.staleness");
        assertThatThrownBy(() -> StalenessWeight.polynomial(-1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("async.staleness-exponent");
    }
}
