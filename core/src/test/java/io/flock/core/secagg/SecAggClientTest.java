package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecAggClientTest {
    private final SecAggParams params = RoundDriver.params("c/1", 5, 4, 3, 3);
    private final RoundDriver round = new RoundDriver(params, RoundDriver.smallInputs(5, 3));

    @Test
    void stages_outOfOrderOrTwice_throwIllegalState() {
        SecAggClient c = new SecAggClient(params, 0, RoundDriver.seeded(1));

        assertThatThrownBy(() -> c.share(List.of())).isInstanceOf(IllegalStateException.class);
        c.advertise();
        assertThatThrownBy(c::advertise).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.unmask(List.of(), List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void share_badNeighbourLists_refusedAndRetryable() {
        round.advertise();
        List<KeyAdvertisement> ads = round.advertised.get(0);
        SecAggClient c = round.clients.get(0);
        KeyAdvertisement own = new KeyAdvertisement(0, ads.get(0).encryptionKey(), ads.get(0).maskingKey());
        List<KeyAdvertisement> twice = new ArrayList<>(ads);
        twice.add(ads.get(0));
        KeyAdvertisement shortKey = new KeyAdvertisement(ads.get(1).index(), new byte[31], ads.get(1).maskingKey());
        KeyAdvertisement zeroKey = new KeyAdvertisement(ads.get(1).index(), ads.get(1).encryptionKey(), new byte[32]);

        assertThatThrownBy(() -> c.share(List.of(own, ads.get(1), ads.get(2)))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("own");
        assertThatThrownBy(() -> c.share(twice)).hasMessageContaining("two advertisements of participant " + ads.get(0).index());
        assertThatThrownBy(() -> c.share(List.of(ads.get(0), shortKey, ads.get(2)))).hasMessageContaining("31 bytes");
        assertThatThrownBy(() -> c.share(List.of(ads.get(0), zeroKey, ads.get(2)))).hasMessageContaining("masking key of");
        assertThatThrownBy(() -> c.share(ads.subList(0, 2))).hasMessageContaining("2 neighbours advertised to 0, threshold 3");
        assertThat(c.share(ads)).hasSize(4).allSatisfy(s -> assertThat(s.ciphertext()).hasSize(156));
    }

    @Test
    void share_nonNeighbour_refused() {
        SecAggParams sparse = RoundDriver.params("c/2", 6, 2, 1, 1);
        RoundDriver r = new RoundDriver(sparse, RoundDriver.smallInputs(6, 1));
        r.advertise();
        int stranger = 1;
        while (r.server.graph().areNeighbours(0, stranger)) {
            stranger++;
        }
        KeyAdvertisement theirs = r.advertised.get(stranger).get(0);
        KeyAdvertisement fake = new KeyAdvertisement(stranger, theirs.encryptionKey(), theirs.maskingKey());

        assertThatThrownBy(() -> r.clients.get(0).share(List.of(fake))).hasMessageContaining("participant " + stranger
                + " is not a neighbour of 0");
    }

    @Test
    void mask_tamperedOrMisaddressedShare_refused() {
        round.advertise();
        round.share();
        List<EncryptedShare> received = round.shared.get(0);
        SecAggClient c = round.clients.get(0);
        byte[] flipped = received.get(0).ciphertext();
        flipped[10] ^= 1;
        List<EncryptedShare> tampered = new ArrayList<>(received);
        tampered.set(0, new EncryptedShare(received.get(0).from(), 0, flipped));
        List<EncryptedShare> relabelled = new ArrayList<>(received);   // another sender's name on it: the AD no longer fits
        relabelled.set(0, new EncryptedShare(received.get(1).from(), 0, received.get(0).ciphertext()));
        List<EncryptedShare> twice = new ArrayList<>(received);
        twice.add(received.get(0));
        List<EncryptedShare> misaddressed = new ArrayList<>(received);
        misaddressed.set(0, new EncryptedShare(received.get(0).from(), 2, received.get(0).ciphertext()));
        int[] input = {1, 2, 3};

        assertThatThrownBy(() -> c.mask(tampered, input)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("fails authentication");
        assertThatThrownBy(() -> c.mask(relabelled, input)).hasMessageContaining("fails authentication");
        assertThatThrownBy(() -> c.mask(twice, input)).hasMessageContaining("two shares from " + received.get(0).from());
        assertThatThrownBy(() -> c.mask(misaddressed, input)).hasMessageContaining("addressed to 2, not 0");
        assertThatThrownBy(() -> c.mask(received, new int[2])).hasMessageContaining("input of 2 ints, expected 3");
        assertThat(c.mask(received, input)).isNotEqualTo(new int[] {1, 2, 3});
        assertThat(input).containsExactly(1, 2, 3);
    }

    @Test
    void mask_shareFromAnotherRound_failsAuthentication() {
        RoundDriver other = new RoundDriver(RoundDriver.params("c/other", 5, 4, 3, 3), RoundDriver.smallInputs(5, 3));
        other.advertise();
        other.share();
        round.advertise();
        round.share();

        assertThatThrownBy(() -> round.clients.get(0).mask(other.shared.get(0), new int[3]))
                .hasMessageContaining("fails authentication");
    }

    @Test
    void unmask_fewSurvivorsOverlapOrStranger_refused() {
        round.advertise();
        round.share();
        round.mask();
        SecAggClient c = round.clients.get(0);

        assertThatThrownBy(() -> c.unmask(List.of(1), List.of(2, 3, 4))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("below threshold 3; refusing to unmask");
        assertThatThrownBy(() -> c.unmask(List.of(1, 2), List.of(2))).hasMessageContaining("participant 2 asked for twice");
        assertThatThrownBy(() -> c.unmask(List.of(1, 0), List.of())).hasMessageContaining("participant 0 did not share with 0");
        Reveal r = c.unmask(List.of(1, 2), List.of(3));
        assertThat(r.selfMaskShares()).containsOnlyKeys(1, 2);
        assertThat(r.keyShares()).containsOnlyKeys(3);
        assertThat(Map.copyOf(r.selfMaskShares()).values()).allSatisfy(s -> assertThat(s).hasSize(70));
    }
}
