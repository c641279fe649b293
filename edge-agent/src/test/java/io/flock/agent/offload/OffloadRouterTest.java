package io.flock.agent.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.inference.LocalModel;
import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing decisions on a real local model whose answer is known: all-zero weights give a uniform
 * 1/3 over three classes, so the local confidence is exactly 1/3.
 */
class OffloadRouterTest {
    private final LocalModel local = new LocalModel();
    private final Prediction cloudAnswer = new Prediction(2, new float[] {0f, 0.1f, 0.9f}, "m", 7);
    private final OffloadTarget cloud = (model, raw, timeout) -> cloudAnswer;
    private final OffloadTarget gone = (model, raw, timeout) -> {
        throw new IllegalStateException("UNAVAILABLE: connection refused");
    };

    @BeforeEach
    void load() {
        ModelParameters zeros = new ModelParameters(List.of(new Tensor("01Linear_weight", new int[] {3, 4}, new float[12]),
                new Tensor("01Linear_bias", new int[] {3}, new float[3])));
        local.swap("m", 5, "sha", ModelSpec.parse("mlp:4-3"), FeaturePipeline.PIXELS, zeros);
    }

    @AfterEach
    void close() {
        local.close();
    }

    @Test
    void answer_offloaded_givesTheCloudLessThanTheTimeout_soAFallbackComesWithinIt() {
        java.util.concurrent.atomic.AtomicReference<Duration> given = new java.util.concurrent.atomic.AtomicReference<>();
        OffloadRouter router = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.5), (model, raw, timeout) -> {
            given.set(timeout);
            return cloudAnswer;
        }, Duration.ofMillis(100));

        router.answer(new float[4]);

        assertThat(given.get()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(100).minus(OffloadRouter.WAKE_MARGIN));
        Answer late = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.5), cloud, Duration.ofMillis(2)).answer(new float[4]);
        assertThat(late.source()).as("no time for the cloud at all").isEqualTo(Answer.Source.FALLBACK);
        assertThat(late.fallbackReason()).contains("offload.timeout=2ms");
    }

    @Test
    void answer_confidentLocal_staysLocal() {
        Answer a = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.2), cloud, Duration.ofMillis(100)).answer(new float[4]);

        assertThat(a.source()).isEqualTo(Answer.Source.LOCAL);
        assertThat(a.prediction().version()).isEqualTo(5);
        assertThat(a.prediction().confidence()).isEqualTo(1f / 3, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void answer_uncertainLocal_isOffloaded_andSaysWhoAnswered() {
        OffloadRouter router = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.5), cloud, Duration.ofMillis(100));

        Answer a = router.answer(new float[4]);

        assertThat(a.source()).isEqualTo(Answer.Source.OFFLOADED);
        assertThat(a.prediction().label()).isEqualTo(2);
        assertThat(a.prediction().version()).isEqualTo(7);
        assertThat(router.count(Answer.Source.OFFLOADED)).isEqualTo(1);
    }

    @Test
    void answer_cloudGone_fallsBackToLocalWithReason() {
        OffloadRouter router = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.5), gone, Duration.ofMillis(100));

        Answer a = router.answer(new float[4]);

        assertThat(a.source()).isEqualTo(Answer.Source.FALLBACK);
        assertThat(a.fallbackReason()).contains("connection refused");
        assertThat(a.prediction().version()).isEqualTo(5);
        assertThat(router.count(Answer.Source.FALLBACK)).isEqualTo(1);
        assertThat(router.count(Answer.Source.LOCAL)).isZero();
    }

    @Test
    void answer_noLocalModelAndNoCloud_failsClearly_badInputRejected() {
        OffloadRouter router = new OffloadRouter("m", local, OffloadPolicy.NEVER, gone, Duration.ofMillis(100));

        assertThatThrownBy(() -> router.answer(new float[5])).isInstanceOf(InvalidInputException.class).hasMessageContaining("takes 4");
        assertThatThrownBy(() -> router.answer(new float[] {1, Float.NaN, 0, 0})).hasMessageContaining("NaN");
        local.close();
        assertThatThrownBy(() -> router.answer(new float[4])).isInstanceOf(FlockException.class).hasMessageContaining("no local model");
    }

    @Test
    void answer_inputInABatchSet_answeredFromIt_countedAsBatch_otherInputsRouted() {
        Prediction precomputed = new Prediction(1, new float[] {0.2f, 0.8f, 0f}, "cloud", 9);
        float[] known = {1, 2, 3, 4};
        BatchLookup batch = raw -> java.util.Arrays.equals(raw, known) ? java.util.Optional.of(precomputed) : java.util.Optional.empty();
        OffloadRouter router = new OffloadRouter("m", local, new ConfidenceOffloadPolicy(0.2), cloud, Duration.ofMillis(100), batch);

        Answer hit = router.answer(known.clone());
        Answer miss = router.answer(new float[4]);

        assertThat(hit.source()).isEqualTo(Answer.Source.BATCH);
        assertThat(hit.prediction()).isSameAs(precomputed);
        assertThat(miss.source()).isEqualTo(Answer.Source.LOCAL);
        assertThat(router.count(Answer.Source.BATCH)).isEqualTo(1);
        assertThat(router.count(Answer.Source.LOCAL)).isEqualTo(1);
    }
}
