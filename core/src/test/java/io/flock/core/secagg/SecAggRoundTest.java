package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecAggRoundTest {
    @ParameterizedTest(name = "n={0} k={1} t={2}")
    @CsvSource({"3,2,2", "4,3,2", "5,4,3", "5,2,2", "5,3,2", "6,3,2", "7,3,2", "7,4,3"})
    void closeUnmask_everyoneStays_returnsTheExactSum(int n, int k, int t) {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/1", n, k, t, 4), RoundDriver.smallInputs(n, 4));

        int[] sum = round.run();

        assertThat(sum).containsExactly(round.sumOf(Set.copyOf(round.all())));
        assertThat(round.server.stage()).isEqualTo(Stage.DONE);
        round.maskedVectors.forEach((i, v) -> assertThat(v).isNotEqualTo(round.inputs[i]));
    }

    @Test
    void closeUnmask_threeParticipants_handCheckedSum() {
        int[][] inputs = {{1, 2, 3}, {10, 20, 30}, {100, 200, -300}};
        RoundDriver round = new RoundDriver(RoundDriver.params("m/2", 3, 2, 2, 3), inputs);

        assertThat(round.run()).containsExactly(111, 222, -267);
    }

    @Test
    void closeUnmask_oneNeverAdvertises_sumOfTheOthers() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/3", 5, 4, 3, 6), RoundDriver.randomInputs(5, 6, 1));
        round.noAdvertise.add(1);

        assertThat(round.run()).containsExactly(round.sumOf(Set.of(0, 2, 3, 4)));
        assertThat(round.advertised).doesNotContainKey(1);
    }

    @Test
    void closeUnmask_oneAdvertisesButNeverShares_sumOfTheOthers() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/4", 5, 4, 3, 6), RoundDriver.randomInputs(5, 6, 2));
        round.noShare.add(2);

        assertThat(round.run()).containsExactly(round.sumOf(Set.of(0, 1, 3, 4)));
        assertThat(round.shared).doesNotContainKey(2);
    }

    @Test
    void closeUnmask_oneSharesButSendsNoVector_masksRemovedThroughKeyShares() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/5", 5, 4, 3, 6), RoundDriver.randomInputs(5, 6, 3));
        round.noMask.add(3);

        assertThat(round.run()).containsExactly(round.sumOf(Set.of(0, 1, 2, 4)));
        assertThat(round.server.survivors()).containsExactlyInAnyOrder(0, 1, 2, 4);
        assertThat(round.requests.get(0).dropped()).containsExactly(3);
    }

    @Test
    void closeUnmask_oneSendsAVectorButNeverReveals_itsInputStillCounts() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/6", 5, 4, 3, 6), RoundDriver.randomInputs(5, 6, 4));
        round.noReveal.add(4);

        assertThat(round.run()).containsExactly(round.sumOf(Set.of(0, 1, 2, 3, 4)));
    }

    @Test
    void closeUnmask_dropoutsInEveryStageOfASparseGraph_sumOfTheSurvivors() {
        // k = 8: after 4 leave before masking every survivor keeps >= 4 neighbours in U3, >= 3 = t of them reveal
        RoundDriver round = new RoundDriver(RoundDriver.params("m/7", 12, 8, 3, 8), RoundDriver.randomInputs(12, 8, 5));
        round.noAdvertise.add(0);
        round.noShare.add(5);
        round.noMask.addAll(Set.of(7, 9));
        round.noReveal.add(11);

        int[] sum = round.run();

        assertThat(round.server.survivors()).containsExactlyInAnyOrder(1, 2, 3, 4, 6, 8, 10, 11);
        assertThat(sum).containsExactly(round.sumOf(round.server.survivors()));
    }

    @Test
    void closeAdvertise_tooFewAdvertise_aborts() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/8", 4, 3, 3, 2), RoundDriver.smallInputs(4, 2));
        round.noAdvertise.addAll(Set.of(0, 1));

        assertThatThrownBy(round::advertise).isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("advertise").hasMessageContaining("2 advertised");
        assertThat(round.server.stage()).isEqualTo(Stage.ABORTED);
        assertThatThrownBy(round.server::closeUnmask).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeShare_tooFewShare_aborts() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/9", 4, 3, 3, 2), RoundDriver.smallInputs(4, 2));
        round.noShare.add(2);
        round.advertise();

        assertThatThrownBy(round::share).isInstanceOf(SecAggAbortedException.class).hasMessageContaining("share");
        assertThat(round.server.stage()).isEqualTo(Stage.ABORTED);
    }

    @Test
    void closeMask_tooFewVectors_abortsWithoutASum() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/10", 5, 4, 3, 2), RoundDriver.smallInputs(5, 2));
        round.noMask.addAll(Set.of(0, 1, 2));
        round.advertise();
        round.share();

        assertThatThrownBy(round::mask).isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("neighbours in U3, threshold 3");
        assertThatThrownBy(round.server::closeUnmask).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeUnmask_tooFewReveal_abortsNamingTheParticipant() {
        RoundDriver round = new RoundDriver(RoundDriver.params("m/11", 5, 4, 3, 2), RoundDriver.smallInputs(5, 2));
        round.noReveal.addAll(Set.of(2, 3));
        round.advertise();
        round.share();
        round.mask();

        assertThatThrownBy(round::unmask).isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("2 shares of the self-mask seed of participant 0, threshold 3");
        assertThat(round.server.stage()).isEqualTo(Stage.ABORTED);
    }
}
