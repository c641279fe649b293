package io.flock.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelSpecTest {
    @Test
    void parse_mlpAndCnn_roundTripAndSizes() {
        ModelSpec mlp = ModelSpec.parse("mlp:784-200-200-10");
        ModelSpec cnn = ModelSpec.parse("cnn:28x28-16-32-128-10");

        assertThat(mlp.inputSize()).isEqualTo(784);
        assertThat(mlp.classes()).isEqualTo(10);
        assertThat(cnn.inputSize()).isEqualTo(784);
        assertThat(ModelSpec.parse(mlp.toString())).isEqualTo(mlp);
        assertThat(ModelSpec.parse(cnn.toString())).isEqualTo(cnn);
    }

    @Test
    void parse_badSpecs_namedInMessage() {
        assertThatThrownBy(() -> ModelSpec.parse("rnn:1-2")).hasMessageContaining("rnn:1-2");
        assertThatThrownBy(() -> ModelSpec.parse("mlp:784")).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> ModelSpec.parse("mlp:784-0-10")).hasMessageContaining("positive");
        assertThatThrownBy(() -> ModelSpec.parse("cnn:28x27-1-2-3-4")).hasMessageContaining("square");
        assertThatThrownBy(() -> ModelSpec.parse("784-10")).hasMessageContaining("should look like");
    }
}
