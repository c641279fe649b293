package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FeaturePipelineTest {
    @Test
    void transform_scalesThenStandardises() {
        FeaturePipeline p = FeaturePipeline.parse("scale:255:0.5:0.25");

        assertThat(p.transform(new float[] {0f, 255f, 127.5f})).containsExactly(-2f, 2f, 0f);
        assertThat(p.toString()).isEqualTo("scale:255:0.5:0.25");
        assertThat(FeaturePipeline.parse(FeaturePipeline.PIXELS.toString())).isEqualTo(FeaturePipeline.PIXELS);
    }

    @Test
    void transform_nonFinite_isRejected() {
        assertThatThrownBy(() -> FeaturePipeline.PIXELS.transform(new float[] {1f, Float.NaN})).hasMessageContaining("feature 1 is NaN");
        assertThatThrownBy(() -> FeaturePipeline.parse("scale:0")).hasMessageContaining("divisor > 0");
        assertThatThrownBy(() -> FeaturePipeline.parse("zscore")).hasMessageContaining("does not parse");
    }
}
