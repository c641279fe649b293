package io.flock.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.flock.core.InvalidInputException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DistillationTest {
    @Test
    void soften_temperature2_isTheSquareRootRenormalised() {
        float[] p = {0.5f, 0.25f, 0.25f};

        new Distillation(2f, 0.5f).soften(p, 3);

        assertThat(p[0]).isCloseTo(0.41421f, offset(1e-5f));
        assertThat(p[1]).isCloseTo(0.29289f, offset(1e-5f));
        assertThat(p[2]).isCloseTo(0.29289f, offset(1e-5f));
    }

    @Test
    void lossAndGradient_temperature2_matchesTheHandComputedSoftTargetLoss() {
        // z = (ln 3, 0): softmax (0.75, 0.25); softmax(z / 2) = (sqrt3, 1) / (sqrt3 + 1) = (0.63397, 0.36603)
        // label 1, q = (0.5, 0.5), alpha 0.5: 0.5 * -ln 0.25 + 0.5 * 4 * KL(q || softmax(z/2)) = 0.69315 + 2 * 0.037252
        float[] g = new float[2];

        double loss = new Distillation(2f, 0.5f).lossAndGradient(new float[] {(float) Math.log(3), 0f}, 0, 2, 1,
                new float[] {0.5f, 0.5f}, 0, g, 1f);

        assertThat(loss).isCloseTo(0.767652, offset(1e-5));
        // 0.5 * (0.75 - 0) + 0.5 * 2 * (0.63397 - 0.5)
        assertThat(g[0]).isCloseTo(0.508975f, offset(1e-5f));
        assertThat(g[1]).isCloseTo(-0.508975f, offset(1e-5f));
    }

    @Test
    void lossAndGradient_gradientMatchesFiniteDifferences() {
        Distillation d = new Distillation(3f, 0.7f);
        float[] z = {0.3f, -1.2f, 2.0f, 0.1f};
        float[] q = {0.1f, 0.2f, 0.6f, 0.1f};
        float[] g = new float[4];
        d.lossAndGradient(z, 0, 4, 2, q, 0, g, 1f);
        for (int c = 0; c < 4; c++) {
            float[] up = z.clone();
            float[] down = z.clone();
            up[c] += 1e-3f;
            down[c] -= 1e-3f;
            double numeric = (d.lossAndGradient(up, 0, 4, 2, q, 0, new float[4], 1f)
                    - d.lossAndGradient(down, 0, 4, 2, q, 0, new float[4], 1f)) / 2e-3;

            assertThat((double) g[c]).as("d loss / d z_%d", c).isCloseTo(numeric, offset(1e-3));
        }
    }

    @Test
    void train_alphaZero_isTrainingOnLabels() throws Exception {
        ByteDataset data = LocalTrainerTest.train().subset(IntStream.range(0, 200).toArray());
        ModelSpec spec = ModelSpec.parse("mlp:784-16-10");
        float[] anyTargets = new float[200 * 10];
        java.util.Arrays.fill(anyTargets, 0.1f);
        LocalTrainer trainer = new LocalTrainer();
        try (FlockModel m = new FlockModel(spec, "t")) {
            ModelParameters start = m.parameters();
            TrainingConfig config = new TrainingConfig(0.1f, 10, 1);

            var plain = trainer.train(spec, start, () -> m, data, FeaturePipeline.PIXELS, config, new Random(1));
            var distilled = trainer.train(spec, start, () -> m, data, FeaturePipeline.PIXELS, config, new Random(1),
                    new SoftTargets(new Distillation(4f, 0f), anyTargets, 10));

            float[] a = distilled.parameters().tensors().get(0).data();
            float[] b = plain.parameters().tensors().get(0).data();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).as("weight %d (the same sums, rounded in another order)", i).isCloseTo(b[i], offset(1e-5f));
            }
            assertThat(a).isNotEqualTo(start.tensors().get(0).data());
        }
    }

    @Test
    void train_targetsThatDoNotCoverTheDataOrACnnStudent_refused() throws Exception {
        ByteDataset data = LocalTrainerTest.train().subset(IntStream.range(0, 20).toArray());
        LocalTrainer trainer = new LocalTrainer();
        SoftTargets short19 = new SoftTargets(new Distillation(4f, 0.5f), new float[19 * 10], 10);
        ModelSpec mlp = ModelSpec.parse("mlp:784-8-10");
        try (FlockModel m = new FlockModel(mlp, "t")) {
            assertThatThrownBy(() -> trainer.train(mlp, m.parameters(), () -> m, data, FeaturePipeline.PIXELS,
                    new TrainingConfig(0.1f, 10, 1), new Random(1), short19)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("do not cover 20 rows");
        }
        ModelSpec cnn = ModelSpec.parse("cnn:28x28-2-2-4-10");
        assertThatThrownBy(() -> trainer.train(cnn, null, () -> null, data, FeaturePipeline.PIXELS, new TrainingConfig(0.1f, 10, 1),
                new Random(1), new SoftTargets(new Distillation(4f, 0.5f), new float[200], 10)))
                .hasMessageContaining("distillation trains MLP students");
        assertThatThrownBy(() -> new Distillation(0f, 0.5f)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Distillation(2f, 1.5f)).hasMessageContaining("alpha");
    }
}
