package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecAggServerTest {
    private final RoundDriver round = new RoundDriver(RoundDriver.params("s/1", 5, 4, 3, 3), RoundDriver.smallInputs(5, 3));
    private final SecAggServer server = round.server;

    @Test
    void advertise_replayAndConflict_duplicateOrRefused() {
        KeyAdvertisement a = round.clients.get(0).advertise();
        KeyAdvertisement other = round.clients.get(1).advertise();

        assertThat(server.advertise(a)).isEqualTo(Receipt.ACCEPTED);
        assertThat(server.advertise(a)).isEqualTo(Receipt.DUPLICATE);
        assertThatThrownBy(() -> server.advertise(new KeyAdvertisement(0, other.encryptionKey(), other.maskingKey())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("participant 0 already advertised different keys");
        assertThatThrownBy(() -> server.advertise(new KeyAdvertisement(5, a.encryptionKey(), a.maskingKey())))
                .hasMessageContaining("participant 5 outside 0..4");
        assertThatThrownBy(() -> server.advertise(new KeyAdvertisement(1, new byte[32], a.maskingKey())))
                .hasMessageContaining("encryption key of 1");
    }

    @Test
    void inputs_outsideTheirStage_stageClosedAndClosesOutOfOrder_illegalState() {
        KeyAdvertisement late = new SecAggClient(round.params, 0, RoundDriver.seeded(99)).advertise();
        round.noAdvertise.add(0);
        round.advertise();

        assertThatThrownBy(() -> server.advertise(late)).isInstanceOf(StageClosedException.class)
                .hasMessageContaining("arrived in stage SHARE");
        assertThatThrownBy(() -> server.masked(1, new int[3])).isInstanceOf(StageClosedException.class);
        assertThatThrownBy(server::closeMask).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void share_fromOutsideU1_refused() {
        round.noAdvertise.add(4);
        round.advertise();
        List<EncryptedShare> forged = List.of(new EncryptedShare(4, 0, new byte[156]));

        assertThatThrownBy(() -> server.share(4, forged)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("participant 4, which is not among the 4 kept advertisers");
    }

    @Test
    void share_replayedBundle_duplicate_differentBundle_refused_badBundles_refused() {
        round.advertise();
        List<EncryptedShare> bundle = round.clients.get(0).share(round.advertised.get(0));
        List<EncryptedShare> altered = new ArrayList<>(bundle);
        altered.set(0, new EncryptedShare(0, bundle.get(0).to(), new byte[156]));
        List<EncryptedShare> missing = bundle.subList(1, bundle.size());
        List<EncryptedShare> foreign = new ArrayList<>(bundle);
        foreign.set(0, new EncryptedShare(3, bundle.get(0).to(), bundle.get(0).ciphertext()));
        List<EncryptedShare> repeated = new ArrayList<>(bundle);
        repeated.add(bundle.get(0));

        assertThatThrownBy(() -> server.share(0, missing)).hasMessageContaining("lacks shares to [" + bundle.get(0).to() + "]");
        assertThatThrownBy(() -> server.share(0, foreign)).hasMessageContaining("holds a share from 3");
        assertThatThrownBy(() -> server.share(0, repeated)).hasMessageContaining("two shares from 0 to");
        assertThat(server.share(0, bundle)).isEqualTo(Receipt.ACCEPTED);
        assertThat(server.share(0, List.copyOf(bundle))).isEqualTo(Receipt.DUPLICATE);
        assertThatThrownBy(() -> server.share(0, altered)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already sent a different bundle");
    }

    @Test
    void masked_wrongLengthOrSecondDifferentVector_refusedAndSumUsesTheFirst() {
        round.advertise();
        round.share();
        round.noMask.add(0);
        round.mask();   // 1..4 mask; 0 is asked below, once the stage is over
        RoundDriver again = new RoundDriver(RoundDriver.params("s/2", 5, 4, 3, 3), RoundDriver.smallInputs(5, 3));
        again.advertise();
        again.share();
        int[] first = again.clients.get(0).mask(again.shared.get(0), again.inputs[0]);

        assertThatThrownBy(() -> again.server.masked(0, new int[4])).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("masked vector of 4 ints from participant 0, expected 3");
        assertThat(again.server.masked(0, first)).isEqualTo(Receipt.ACCEPTED);
        assertThat(again.server.masked(0, first.clone())).isEqualTo(Receipt.DUPLICATE);
        int[] second = first.clone();
        second[1] += 5;
        assertThatThrownBy(() -> again.server.masked(0, second)).hasMessageContaining("already sent a different masked vector");
        again.shared.forEach((i, received) -> {
            if (i != 0) {
                again.server.masked(i, again.clients.get(i).mask(received, again.inputs[i]));
            }
        });
        again.requests = again.server.closeMask();

        assertThat(again.unmask()).containsExactly(again.sumOf(Set.of(0, 1, 2, 3, 4)));
        assertThat(round.server.survivors()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void masked_fromOutsideU2_refused() {
        round.noShare.add(2);
        round.advertise();
        round.share();

        assertThatThrownBy(() -> server.masked(2, new int[3])).hasMessageContaining("participant 2, which is not in U2");
    }

    @Test
    void reveal_sharesNotAskedFor_refused_replay_duplicate() {
        round.noMask.add(4);
        round.advertise();
        round.share();
        round.mask();
        UnmaskRequest q = round.requests.get(0);
        Reveal honest = round.clients.get(0).unmask(q.survivors(), q.dropped());
        byte[] share = honest.selfMaskShares().values().iterator().next();
        Reveal greedy = new Reveal(0, Map.of(4, share), Map.of());   // asks b of a dropped participant
        Reveal both = new Reveal(0, honest.selfMaskShares(), Map.of(1, share));

        assertThatThrownBy(() -> server.reveal(greedy)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("self-mask share of 4, which was not asked of it");
        assertThatThrownBy(() -> server.reveal(both)).hasMessageContaining("key share of 1, which was not asked of it");
        assertThatThrownBy(() -> server.reveal(new Reveal(4, Map.of(), Map.of()))).hasMessageContaining("sent no masked vector");
        assertThat(server.reveal(honest)).isEqualTo(Receipt.ACCEPTED);
        assertThat(server.reveal(honest)).isEqualTo(Receipt.DUPLICATE);
        assertThatThrownBy(() -> server.reveal(new Reveal(0, honest.selfMaskShares(), Map.of())))
                .hasMessageContaining("already sent a different reveal");
    }
}
