package io.flock.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.Evaluation;
import io.flock.core.train.LocalTrainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldOutEvaluatorTest {
    private static final Path DATA = Path.of("..", "datasets", "fashion-mnist-subset");

    @Test
    void evaluate_shardedOverThreads_sameScoreAsOnePass() throws Exception {
        ByteDataset test = IdxFormat.readLabelled(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        ModelSpec spec = ModelSpec.parse("mlp:784-32-10");
        try (FlockModel model = new FlockModel(spec, "one-pass");
             HeldOutEvaluator evaluator = new HeldOutEvaluator(spec, FeaturePipeline.PIXELS, test)) {
            Evaluation whole = new LocalTrainer().evaluate(model, test, FeaturePipeline.PIXELS);

            Evaluation sharded = evaluator.evaluate(model.parameters());

            assertThat(sharded.samples()).isEqualTo(test.size());
            assertThat(sharded.accuracy()).isEqualTo(whole.accuracy());
            assertThat(sharded.loss()).isCloseTo(whole.loss(), within(1e-9));
        }
    }

    @Test
    void evaluate_versionAfterVersion_eachScoredOnTheStagedSetAsOnePassWould() throws Exception {
        ByteDataset test = IdxFormat.readLabelled(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        ModelSpec spec = ModelSpec.parse("mlp:784-16-10");
        FeaturePipeline normalised = FeaturePipeline.parse("scale:255:0.2860:0.3530");
        try (FlockModel a = new FlockModel(spec, "a"); FlockModel b = new FlockModel(spec, "b");
             HeldOutEvaluator evaluator = new HeldOutEvaluator(spec, normalised, test)) {
            new LocalTrainer().train(b, test, normalised, new io.flock.core.train.TrainingConfig(0.05f, 20, 1), new java.util.Random(2));

            Evaluation first = evaluator.evaluate(a.parameters());
            Evaluation second = evaluator.evaluate(b.parameters());

            assertThat(first.accuracy()).isEqualTo(new LocalTrainer().evaluate(a, test, normalised).accuracy());
            assertThat(second.accuracy()).isEqualTo(new LocalTrainer().evaluate(b, test, normalised).accuracy()).isGreaterThan(first.accuracy());
        }
    }

    @Test
    void construct_heldOutOfAnotherWidthOrEmpty_rejected() throws Exception {
        ByteDataset test = IdxFormat.readLabelled(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        assertThatThrownBy(() -> new HeldOutEvaluator(ModelSpec.parse("mlp:392-8-10"), FeaturePipeline.PIXELS, test))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("takes 392");
        assertThatThrownBy(() -> new HeldOutEvaluator(ModelSpec.parse("mlp:784-8-10"), FeaturePipeline.PIXELS, test.subset(new int[0])))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("held-out set of 0 samples");
    }

    @Test
    void combine_twoParts_weighsBySamples() {
        Evaluation e = Evaluation.combine(List.of(new Evaluation(0.5, 1.0, 100), new Evaluation(1.0, 4.0, 300)));

        assertThat(e.samples()).isEqualTo(400);
        assertThat(e.accuracy()).isEqualTo(350.0 / 400);
        assertThat(e.loss()).isCloseTo((100 * 1.0 + 300 * 4.0) / 400, within(1e-12));
    }
}
