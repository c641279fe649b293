package io.flock.coordinator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.OffloadAdvice;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Three calibration examples a hand can check, on mlp:2-2 (logits = W x): the cloud model answers argmax(x) and is right on
 * all three; the device model's logits are (x0 + x1/2, x1), right on A (10,0) with a gap of 10 and on B (0,4) with a gap of
 * 2, wrong on C (2,3) with a gap of 0.5. Offloading C alone reaches the cloud's accuracy at a third of the examples.
 */
class OffloadAdvisorTest {
    private static final ByteDataset SET = new ByteDataset(new byte[] {10, 0, 0, 4, 2, 3}, new byte[] {0, 1, 1}, 2);
    private static final ModelParameters CLOUD = mlp(1, 0, 0, 1);
    private static final ModelParameters DEVICE = mlp(1, 0.5f, 0, 1);

    @Test
    void advise_targetReachableWithinMaxRate_offloadsOnlyTheUnsureWrongExample() {
        OffloadAdvisor advisor = new OffloadAdvisor(SET, new OffloadAdvisor.Target(0.5, 0.5, 0));
        advisor.cloud(version("cloud", 4), CLOUD);

        OffloadAdvice a = advisor.advise(version("device", 7), () -> DEVICE).orElseThrow();

        assertThat(a.score()).isEqualTo(ConfidenceScore.MAX_PROBABILITY); // all three scores tie on two classes; the first wins
        assertThat(a.threshold()).isCloseTo(1 / (1 + Math.exp(-2)), offset(1e-6)); // B's max probability: B stays local
        assertThat(a.offloadRate()).isCloseTo(1 / 3.0, offset(1e-9));
        assertThat(a.hybridAccuracy()).isEqualTo(1.0);
        assertThat(a.localAccuracy()).isCloseTo(2 / 3.0, offset(1e-9));
        assertThat(a.cloudAccuracy()).isEqualTo(1.0);
        assertThat(a.cloudModel()).isEqualTo("cloud");
        assertThat(a.cloudVersion()).isEqualTo(4);
        assertThat(a.offloads(new float[] {0.62f, 0.38f})).isTrue();
        assertThat(a.offloads(new float[] {0.95f, 0.05f})).isFalse();
        assertThat(advisor.latest().orElseThrow().curves()).containsOnlyKeys(ConfidenceScore.values());
    }

    @Test
    void advise_maxRateBelowWhatTheTargetNeeds_staysAtTheMaxRate() {
        OffloadAdvisor advisor = new OffloadAdvisor(SET, new OffloadAdvisor.Target(0.3, 0.5, 0));
        advisor.cloud(version("cloud", 1), CLOUD);

        OffloadAdvice a = advisor.advise(version("device", 1), () -> DEVICE).orElseThrow();

        assertThat(a.offloadRate()).isZero();
        assertThat(a.hybridAccuracy()).isCloseTo(2 / 3.0, offset(1e-9));
        assertThat(a.offloads(new float[] {0.65f, 0.35f})).isFalse(); // above C's 0.6225: nothing of the set is offloaded
        assertThat(a.offloads(new float[] {0.6f, 0.4f})).isTrue();
    }

    @Test
    void advise_sameVersions_reusesTheCalibration_newCloudVersion_recalibrates() {
        OffloadAdvisor advisor = new OffloadAdvisor(SET, new OffloadAdvisor.Target(0.5, 0.5, 0));
        AtomicInteger asked = new AtomicInteger();
        Supplier<ModelParameters> device = () -> {
            asked.incrementAndGet();
            return DEVICE;
        };

        assertThat(advisor.advise(version("device", 1), device)).isEmpty(); // no cloud model scored yet
        advisor.cloud(version("cloud", 1), CLOUD);
        advisor.advise(version("device", 1), device);
        advisor.advise(version("device", 1), device);
        advisor.cloud(version("cloud", 2), CLOUD);
        OffloadAdvice a = advisor.advise(version("device", 1), device).orElseThrow();

        assertThat(asked).hasValue(2);
        assertThat(a.cloudVersion()).isEqualTo(2);
    }

    @Test
    void advise_calibrationFails_givesNoAdviceAndKeepsWorking() {
        OffloadAdvisor advisor = new OffloadAdvisor(SET, new OffloadAdvisor.Target(0.5, 0.5, 0));
        advisor.cloud(version("cloud", 1), CLOUD);

        assertThat(advisor.advise(version("device", 1), () -> mlp(1, 0, 0))).isEmpty(); // a layout that does not fit
        assertThat(advisor.advise(version("device", 2), () -> DEVICE)).isPresent();
    }

    @Test
    void target_outOfRange_namesTheKey() {
        assertThatThrownBy(() -> new OffloadAdvisor.Target(1.5, 0.5, 1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("serving.offload.max-rate");
        assertThatThrownBy(() -> new OffloadAdvisor.Target(0.3, -1, 1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("serving.offload.within-points");
        assertThatThrownBy(() -> new OffloadAdvisor.Target(0.3, 0.5, -1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("serving.offload.error-margin");
    }

    /** @return mlp:2-2 parameters: the weights row by row, zero biases */
    private static ModelParameters mlp(float... w) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {2, w.length / 2}, w), new Tensor("b", new int[] {2}, new float[2])));
    }

    private static ModelVersion version(String model, long v) {
        ArtifactManifest m = new ArtifactManifest(model, v, "mlp:2-2", "fp32", "scale:1", "0".repeat(64), 1);
        return new ModelVersion(model, v, "mlp:2-2", "scale:1", Stage.PRODUCTION, "0".repeat(64), 0, Double.NaN, Double.NaN, 0,
                List.of(new ArtifactVariant(m, new byte[0], true)), new byte[0]);
    }
}
