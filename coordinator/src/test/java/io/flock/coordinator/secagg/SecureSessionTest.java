package io.flock.coordinator.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.security.AccessDeniedException;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.InvalidInputException;
import io.flock.core.secagg.EncryptedShare;
import io.flock.core.secagg.KeyAdvertisement;
import io.flock.core.secagg.MaskedVectors;
import io.flock.core.secagg.Reveal;
import io.flock.core.secagg.RingQuantizer;
import io.flock.core.secagg.RingVectors;
import io.flock.core.secagg.SecAggAbortedException;
import io.flock.core.secagg.SecAggClient;
import io.flock.core.secagg.StageClosedException;
import io.flock.core.secagg.UnmaskRequest;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import io.flock.link.wire.SecAggMessages;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A secure round's session on the coordinator, driven by real protocol clients in this JVM (no transport): the sum it
 * unmasks, and its answers to hostile input.
 */
class SecureSessionTest {
    private static final List<String> DEVICES = List.of("d0", "d1", "d2", "d3", "d4");
    private static final ModelParameters BASE = p(0, 0, 0);
    private static final RoundRecord ROUND = new RoundRecord("m", 3, 7, DEVICES, RoundRecord.OPEN, 0);
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, true);
    private final SecureSession session = SecureSession.open(ROUND, PLAN, BASE);
    private final List<SecAggClient> clients = new ArrayList<>();

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private RingQuantizer quantizer() {
        return new RingQuantizer(PLAN.secureRange(), DEVICES.size());
    }

    @Test
    void finish_fiveDevicesWeightedByExamples_meanIsFedAvgOfTheUpdates() throws Exception {
        float[][] updates = {{0.1f, -0.2f, 0.3f}, {0.2f, 0.2f, 0.2f}, {-0.1f, 0f, 0.5f}, {0f, 0.4f, -0.3f}, {0.3f, 0.1f, 0f}};
        double[] weights = {0.1, 0.2, 0.3, 0.2, 0.2};
        AggregatedUpdate mean = runAll(updates, weights, -1);

        for (int j = 0; j < 3; j++) {
            double want = 0;
            for (int i = 0; i < 5; i++) {
                want += weights[i] * updates[i][j];
            }
            assertThat(mean.delta().tensors().get(0).data()[j]).isCloseTo((float) want, org.assertj.core.api.Assertions.within(1e-6f));
        }
        assertThat(mean.contributors()).isEqualTo(5);
        assertThat(mean.totalWeight()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void masked_wrongLengthFromOutsiderOrTwice_refusedAndSumUnaffected() throws Exception {
        float[][] updates = {{0.1f, 0.1f, 0.1f}, {0.1f, 0.1f, 0.1f}, {0.1f, 0.1f, 0.1f}, {0.1f, 0.1f, 0.1f}, {0.1f, 0.1f, 0.1f}};
        AggregatedUpdate mean = runAll(updates, new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, 0);

        assertThat(mean.delta().tensors().get(0).data()[0]).isCloseTo(0.1f, org.assertj.core.api.Assertions.within(1e-6f));
    }

    @Test
    void advertise_deviceNotInTheRound_refused() {
        assertThatThrownBy(() -> session.advertise("stranger", new byte[32], new byte[32])).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("stranger is not a participant");
    }

    @Test
    void finish_tooFewAdvertised_abortsAndFailsPendingCalls() throws Exception {
        SecAggClient c = new SecAggClient(SecAggMessages.params("m", 3, 7, 5, 4, 3, 4), 0, new SecureRandom());
        KeyAdvertisement a = c.advertise();
        CompletableFuture<List<KeyAdvertisement>> pending = session.advertise("d0", a.encryptionKey(), a.maskingKey());

        assertThatThrownBy(() -> session.finish(() -> false)).isInstanceOf(SecAggAbortedException.class);
        assertThat(pending).isCompletedExceptionally();
    }

    /**
     * Runs the whole protocol; the device {@code hostile} (or none, -1) also tries the hostile inputs of each stage, every
     * one of which must be refused (or answered as a duplicate) without changing the sum.
     */
    private AggregatedUpdate runAll(float[][] updates, double[] weights, int hostile) throws Exception {
        var params = SecAggMessages.params("m", 3, 7, DEVICES.size(), PLAN.secAgg().neighboursFor(5), PLAN.secAgg().thresholdFor(5),
                RingVectors.length(BASE));
        List<CompletableFuture<List<KeyAdvertisement>>> keys = new ArrayList<>();
        for (int i = 0; i < DEVICES.size(); i++) {
            SecAggClient c = new SecAggClient(params, i, new SecureRandom());
            clients.add(c);
            KeyAdvertisement a = c.advertise();
            keys.add(session.advertise(DEVICES.get(i), a.encryptionKey(), a.maskingKey()));
        }
        assertThat(session.awaitAdvertised(5, System.nanoTime() + 1_000_000_000L, () -> false)).isEqualTo(5);
        CompletableFuture<SecureSum> sum = CompletableFuture.supplyAsync(() -> {
            try {
                return session.finish(() -> false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        List<CompletableFuture<List<EncryptedShare>>> shares = new ArrayList<>();
        for (int i = 0; i < DEVICES.size(); i++) {
            List<EncryptedShare> bundle = clients.get(i).share(keys.get(i).get(5, TimeUnit.SECONDS));
            shares.add(session.share(DEVICES.get(i), bundle));
            if (i == hostile) {
                String device = DEVICES.get(i);
                session.share(device, bundle); // a replay: answered as before
                assertThatThrownBy(() -> session.share(device, bundle.subList(1, bundle.size()))).isInstanceOf(InvalidInputException.class);
                assertThatThrownBy(() -> session.share("stranger", bundle)).isInstanceOf(AccessDeniedException.class);
            }
        }
        for (int i = 0; i < DEVICES.size(); i++) {
            int[] input = RingVectors.encode(p(updates[i]), weights[i], quantizer());
            byte[] payload = MaskedVectors.encode(clients.get(i).mask(shares.get(i).get(5, TimeUnit.SECONDS), input));
            String device = DEVICES.get(i);
            if (i == hostile) {
                assertThatThrownBy(() -> session.masked(device, "k", Arrays.copyOf(payload, payload.length - 4)))
                        .isInstanceOf(InvalidInputException.class).hasMessageContaining("expected");
                assertThatThrownBy(() -> session.masked("stranger", "k", payload)).isInstanceOf(AccessDeniedException.class);
            }
            assertThat(session.masked(device, "k", payload).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
            if (i == hostile) {
                assertThat(session.masked(device, "k", payload).outcome()).isEqualTo(Receipt.Outcome.DUPLICATE);
                byte[] other = payload.clone();
                other[0] ^= 1;
                assertThatThrownBy(() -> session.masked(device, "k2", other)).isInstanceOf(UpdateConflictException.class)
                        .hasMessageContaining("the first one stands");
            }
        }
        for (int i = 0; i < DEVICES.size(); i++) {
            UnmaskRequest asked = session.awaitUnmask(DEVICES.get(i)).get(5, TimeUnit.SECONDS);
            Reveal reveal = clients.get(i).unmask(asked.survivors(), asked.dropped());
            if (i == hostile) {
                int self = i;
                assertThatThrownBy(() -> session.reveal(DEVICES.get((self + 1) % 5), reveal)).isInstanceOf(AccessDeniedException.class);
            }
            session.reveal(DEVICES.get(i), reveal);
        }
        AggregatedUpdate mean = sum.get(10, TimeUnit.SECONDS).mean();
        if (hostile >= 0) {
            KeyAdvertisement late = new SecAggClient(params, 0, new SecureRandom()).advertise();
            assertThatThrownBy(() -> session.advertise(DEVICES.get(0), late.encryptionKey(), late.maskingKey()))
                    .isInstanceOf(StageClosedException.class);
        }
        return mean;
    }
}
