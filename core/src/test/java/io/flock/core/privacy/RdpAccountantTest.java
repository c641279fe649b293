package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RdpAccountantTest {
    private static final double TWO_DECIMALS = 0.005;

    /**
     * Published (q, z, steps, delta) -> epsilon, all computed by their libraries with the same RDP conversion as
     * ours (Balle et al. 2020 Thm 21; the optimal order is in our order list in every row).
     * <ul>
     * <li>[O] pytorch/opacus@4d0ebc84613d214fbfd37fbfd1390e3747a625ce opacus/tests/accountants_test.py,
     *     AccountingTest.test_rdp_accountant: q=0.04, z=1.5, steps=int(90/0.04)=2250, delta=1e-5.
     * <li>[T] tensorflow/privacy@03035d5d4a271ac795dab80f5bc1cef82fc3d462
     *     tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py (dp-accounting's RdpAccountant):
     *     test_compute_dp_sgd_privacy Test0 (n=60000, batch 150, 15 epochs: q=0.0025, 6000 steps; order 19) and
     *     Test1 (n=100000, batch 100, 30 epochs: q=0.001, 30000 steps; order 13);
     *     test_compute_dp_sgd_example_privacy (1.2 epochs, z=0.7, halved with microbatching, delta=1e-5; no
     *     subsampling = q 1 for ceil(1.2)=2 steps; q=0.01 for ceil(1.2/0.01)=120 steps);
     *     test_dp_sgd_privacy_statement_no_user_dp_with_rdp (10000 examples, batch 64, 5 epochs, z=2.0 halved
     *     by microbatching, delta=1e-6; printed to 3 decimals: 13.376 once per epoch = q 1 for 5 steps,
     *     1.616 Poisson = q 0.0064 for ceil(5/0.0064)=782 steps).
     * </ul>
     */
    @ParameterizedTest(name = "q={0} z={1} steps={2} delta={3} -> {4} ({5})")
    @CsvSource({
        "0.04,   1.5,  2250,  1e-5, 7.32911117143,      O test_rdp_accountant",
        "0.0025, 1.3,  6000,  1e-5, 0.7242234026109595, T Test0",
        "0.001,  1.0,  30000, 1e-7, 1.4154988495444842, T Test1 small q many steps",
        "1.0,    0.7,  2,     1e-5, 10.8602036,         T no_microbatching_no_subsampling_rdp",
        "1.0,    0.35, 2,     1e-5, 26.2880374,         T microbatching_no_subsampling_rdp",
        "0.01,   0.7,  120,   1e-5, 3.2392676,          T no_microbatching_with_subsampling_rdp",
        "0.01,   0.35, 120,   1e-5, 22.6248601,         T microbatching_with_subsampling_rdp",
        "1.0,    1.0,  5,     1e-6, 13.376,             T statement once per epoch",
        "0.0064, 1.0,  782,   1e-6, 1.616,              T statement Poisson",
    })
    void epsilon_publishedCases_matchToTwoDecimals(double q, double z, int steps, double delta, double expected,
            String source) {
        RdpAccountant accountant = new RdpAccountant();
        accountant.compose(q, z, steps);

        assertThat(accountant.epsilon(delta)).isCloseTo(expected, within(TWO_DECIMALS));
        assertThat(RdpAccountant.epsilon(q, z, steps, delta)).isCloseTo(expected, within(TWO_DECIMALS));
    }

    @Test
    void perStep_noSampling_isTheGaussianRdp() {
        assertThat(SampledGaussianRdp.perStep(1.0, 2.0, 3.5)).isEqualTo(3.5 / 8);
        assertThat(SampledGaussianRdp.perStep(0.0, 0.0, 3.5)).isZero();
        assertThat(SampledGaussianRdp.perStep(0.3, 0.0, 3.5)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void orders_areOpacusDefaultAlphas() {
        assertThat(RdpAccountant.ORDERS).hasSize(151).startsWith(1.1, 1.2).endsWith(62, 63).doesNotContain(11)
                .containsSubsequence(10.9, 12, 13);
    }

    @Test
    void epsilon_moreSteps_grows() {
        double e100 = RdpAccountant.epsilon(0.01, 1.1, 100, 1e-5);
        double e1000 = RdpAccountant.epsilon(0.01, 1.1, 1000, 1e-5);
        double e10000 = RdpAccountant.epsilon(0.01, 1.1, 10000, 1e-5);

        assertThat(e100).isPositive().isLessThan(e1000);
        assertThat(e1000).isLessThan(e10000);
    }

    @Test
    void epsilon_moreNoise_falls() {
        double previous = Double.POSITIVE_INFINITY;
        for (double z : new double[] {0.5, 0.8, 1.0, 1.5, 2.0, 4.0}) {
            double eps = RdpAccountant.epsilon(0.02, z, 500, 1e-5);
            assertThat(eps).isLessThan(previous);
            previous = eps;
        }
    }

    @Test
    void epsilonAfter_mixedHistory_equalsEpsilonAfterCompose() {
        RdpAccountant accountant = new RdpAccountant();
        accountant.compose(0.01, 1.2, 300);
        accountant.compose(1.0, 5.0, 2);

        double predicted = accountant.epsilonAfter(0.05, 0.9, 40, 1e-5);
        double before = accountant.epsilon(1e-5);
        accountant.compose(0.05, 0.9, 40);

        assertThat(accountant.epsilon(1e-5)).isEqualTo(predicted).isGreaterThan(before);
        assertThat(accountant.steps()).isEqualTo(342);
    }

    @Test
    void compose_inPieces_equalsComposeAtOnce() {
        RdpAccountant pieces = new RdpAccountant();
        pieces.compose(0.01, 1.1, 250);
        pieces.compose(0.01, 1.1, 750);

        assertThat(pieces.epsilon(1e-5)).isCloseTo(RdpAccountant.epsilon(0.01, 1.1, 1000, 1e-5), within(1e-9));
    }

    @Test
    void epsilon_emptyOrZeroSamplingOrZeroSteps_isZero() {
        RdpAccountant accountant = new RdpAccountant();
        assertThat(accountant.epsilon(1e-5)).isZero();

        accountant.compose(0.0, 0.0, 1000);
        accountant.compose(0.5, 1.0, 0);

        assertThat(accountant.epsilon(1e-5)).isZero();
        assertThat(accountant.steps()).isEqualTo(1000);
    }

    @Test
    void epsilon_stepWithoutNoise_isInfinite() {
        RdpAccountant accountant = new RdpAccountant();
        accountant.compose(0.01, 1.0, 100);
        accountant.compose(0.01, 0.0, 1);

        assertThat(accountant.epsilon(1e-5)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void compose_badArguments_throwNamingTheValueAndChangeNothing() {
        RdpAccountant accountant = new RdpAccountant();
        accountant.compose(0.01, 1.0, 10);
        double before = accountant.epsilon(1e-5);

        assertThatThrownBy(() -> accountant.compose(-0.1, 1, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> accountant.compose(1.1, 1, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("1.1");
        assertThatThrownBy(() -> accountant.compose(Double.NaN, 1, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> accountant.compose(0.1, -1, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> accountant.compose(0.1, Double.POSITIVE_INFINITY, 1)).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> accountant.compose(0.1, 1, -3)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-3");
        assertThatThrownBy(() -> accountant.compose(0.1, 1, Integer.MAX_VALUE)).hasMessageContaining("overflow");

        assertThat(accountant.steps()).isEqualTo(10);
        assertThat(accountant.epsilon(1e-5)).isEqualTo(before);
    }

    @Test
    void epsilon_badDelta_throwsNamingIt() {
        RdpAccountant accountant = new RdpAccountant();

        assertThatThrownBy(() -> accountant.epsilon(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("0.0");
        assertThatThrownBy(() -> accountant.epsilon(1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("1.0");
        assertThatThrownBy(() -> accountant.epsilon(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, 1, 1, 2)).hasMessageContaining("delta");
    }

    @Test
    void epsilon_afterManyRounds_takesWellUnderAMillisecond() {
        RdpAccountant accountant = new RdpAccountant();
        accountant.compose(0.01, 1.1, 5000);
        accountant.epsilon(1e-5);

        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            accountant.epsilon(1e-5);
        }
        double perCallMs = (System.nanoTime() - start) / 1e6 / 1000;

        assertThat(perCallMs).isLessThan(1.0);
    }

    @Test
    void compose_fromManyThreads_countsEveryStep() throws Exception {
        RdpAccountant accountant = new RdpAccountant();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            futures.add(pool.submit(() -> accountant.compose(0.01, 1.1, 1)));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(accountant.steps()).isEqualTo(400);
        assertThat(accountant.epsilon(1e-5)).isCloseTo(RdpAccountant.epsilon(0.01, 1.1, 400, 1e-5), within(1e-9));
    }
}
