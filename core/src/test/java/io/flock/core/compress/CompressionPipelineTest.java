package io.flock.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import org.junit.jupiter.api.Test;

class CompressionPipelineTest {
    @Test
    void stepsParse_toACanonicalNameThatParsesBackToTheSamePipeline() {
        CompressionPipeline p = CompressionPipeline.parse("prune:0.90, int8, entropy");
        assertThat(p.name()).isEqualTo("prune:0.9+int8");
        assertThat(p.codec().name()).isEqualTo("sparse-int8");
        assertThat(p.prunes()).isTrue();
        assertThat(CompressionPipeline.parse(p.name()).name()).isEqualTo(p.name());
        assertThat(CompressionPipeline.parse("prune:0.8:layer+int4").codec().name()).isEqualTo("sparse-int4");
        assertThat(CompressionPipeline.parse("int8").name()).isEqualTo("int8");
        assertThat(CompressionPipeline.parse("int8").codec()).isSameAs(Codecs.INT8);
        assertThat(CompressionPipeline.parse("fp16").codec().name()).isEqualTo("fp16");
        assertThat(CompressionPipeline.parse("prune:0.5").codec().name()).as("no encoding: fp32, dense").isEqualTo("fp32");
    }

    @Test
    void impossiblePipelines_failNamingTheStep() {
        assertThatThrownBy(() -> CompressionPipeline.parse("prune:1.0+int8")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("prune:1.0").hasMessageContaining("outside [0, 1)");
        assertThatThrownBy(() -> CompressionPipeline.parse("prune:-0.1")).hasMessageContaining("outside [0, 1)");
        assertThatThrownBy(() -> CompressionPipeline.parse("prune:lots")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> CompressionPipeline.parse("prune:0.5+gzip")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown compression step 'gzip'");
        assertThatThrownBy(() -> CompressionPipeline.parse("int8+prune:0.5")).hasMessageContaining("transforms come first");
        assertThatThrownBy(() -> CompressionPipeline.parse("int8+int4")).hasMessageContaining("two encodings");
        assertThatThrownBy(() -> CompressionPipeline.parse("fp16+entropy")).hasMessageContaining("needs an int encoding");
        assertThatThrownBy(() -> CompressionPipeline.parse("int8+entropy+fp16")).hasMessageContaining("entropy is the last step");
        assertThatThrownBy(() -> CompressionPipeline.parse(" ")).hasMessageContaining("empty");
    }
}
