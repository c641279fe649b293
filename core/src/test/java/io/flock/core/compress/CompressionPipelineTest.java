package io.flock.core.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.model.ModelSpec;
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
        assertThatThrownBy(() -> CompressionPipeline.parse("lowrank:0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> CompressionPipeline.parse("lowrank:e1.5")).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> CompressionPipeline.parse("lowrank:many")).hasMessageContaining("not a rank");
        ModelSpec mlp = ModelSpec.parse("mlp:784-200-200-10");
        assertThatThrownBy(() -> CompressionPipeline.parse("lowrank:200+int8").check(mlp)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("rank 200 is not below min(in, out) of any layer").hasMessageContaining("at most 200");
        assertThatThrownBy(() -> CompressionPipeline.parse("lowrank:16").check(ModelSpec.parse("cnn:28x28-8-16-64-10")))
                .hasMessageContaining("factorises the dense layers of an MLP").hasMessageContaining("convolutions stay dense");
    }

    @Test
    void lowRank_changesTheSpec_andParsesBack() {
        CompressionPipeline p = CompressionPipeline.parse("lowrank:e0.90,int8");
        assertThat(p.name()).isEqualTo("lowrank:e0.9+int8");
        assertThat(p.factorises()).isTrue();
        assertThat(CompressionPipeline.parse("lowrank:32+prune:0.5+int4").codec().name()).isEqualTo("sparse-int4");
        p.check(ModelSpec.parse("mlp:784-200-10"));
    }

    @Test
    void withSparsity_replacesOnlyThePruningStep() {
        CompressionPipeline p = CompressionPipeline.parse("lowrank:32+prune:0.9:layer+int4");
        assertThat(p.sparsity()).isEqualTo(0.9);
        assertThat(p.withSparsity(0.6333).name()).isEqualTo("lowrank:32+prune:0.6333:layer+int4");
        assertThat(CompressionPipeline.parse("int8").sparsity()).isZero();
        assertThatThrownBy(() -> CompressionPipeline.parse("int8").withSparsity(0.5)).isInstanceOf(IllegalStateException.class);
    }
}
