package io.flock.link.wire;

import com.google.protobuf.ByteString;
import io.flock.core.secagg.EncryptedShare;
import io.flock.core.secagg.KeyAdvertisement;
import io.flock.core.secagg.Reveal;
import io.flock.core.secagg.RingQuantizer;
import io.flock.core.secagg.SecAggParams;
import io.flock.core.secagg.UnmaskRequest;
import io.flock.proto.v1.SecAggKeys;
import io.flock.proto.v1.SecAggNeighbour;
import io.flock.proto.v1.SecAggNeighbours;
import io.flock.proto.v1.SecAggReveal;
import io.flock.proto.v1.SecAggSecretShare;
import io.flock.proto.v1.SecAggShare;
import io.flock.proto.v1.SecAggShares;
import io.flock.proto.v1.SecAggUnmaskRequest;
import io.flock.proto.v1.SecureAggregationPlan;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Secure aggregation as the coordinator and every device agree on it: the round's binding and parameters, the ring
 * quantizer of a task's plan, and the stage messages of flock.v1 to and from the core protocol's types. Stateless.
 */
public final class SecAggMessages {
    private SecAggMessages() {
    }

    /** @return what binds every key derivation and ciphertext of a secure round to it: model, round and base version */
    public static byte[] roundId(String model, long round, long baseVersion) {
        return ("flock.v1/secagg/" + model + "/" + round + "/" + baseVersion).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the protocol parameters of a secure round */
    public static SecAggParams params(String model, long round, long baseVersion, int participants, int neighbours, int threshold,
                                      int length) {
        return new SecAggParams(roundId(model, round, baseVersion), participants, neighbours, threshold, length);
    }

    /** @return the ring quantizer a task's secure plan names: its clip range, for its number of participants */
    public static RingQuantizer quantizer(SecureAggregationPlan plan) {
        return new RingQuantizer(plan.getClipRange(), plan.getParticipants());
    }

    /** @return the advertisement of a participant's keys */
    public static KeyAdvertisement keys(int index, SecAggKeys keys) {
        return new KeyAdvertisement(index, keys.getEncryptionKey().toByteArray(), keys.getMaskingKey().toByteArray());
    }

    /** @return a participant's keys on the wire */
    public static SecAggKeys keys(KeyAdvertisement a) {
        return SecAggKeys.newBuilder().setEncryptionKey(ByteString.copyFrom(a.encryptionKey()))
                .setMaskingKey(ByteString.copyFrom(a.maskingKey())).build();
    }

    /** @return neighbours' keys on the wire */
    public static SecAggNeighbours neighbours(List<KeyAdvertisement> keys) {
        SecAggNeighbours.Builder b = SecAggNeighbours.newBuilder();
        keys.forEach(k -> b.addNeighbours(SecAggNeighbour.newBuilder().setIndex(k.index()).setKeys(keys(k))));
        return b.build();
    }

    /** @return neighbours' keys from the wire */
    public static List<KeyAdvertisement> neighbours(SecAggNeighbours m) {
        return m.getNeighboursList().stream().map(n -> keys(n.getIndex(), n.getKeys())).toList();
    }

    /** @return encrypted shares on the wire */
    public static SecAggShares shares(List<EncryptedShare> shares) {
        SecAggShares.Builder b = SecAggShares.newBuilder();
        shares.forEach(s -> b.addShares(SecAggShare.newBuilder().setFrom(s.from()).setTo(s.to()).setCiphertext(ByteString.copyFrom(s.ciphertext()))));
        return b.build();
    }

    /** @return encrypted shares from the wire */
    public static List<EncryptedShare> shares(SecAggShares m) {
        return m.getSharesList().stream().map(s -> new EncryptedShare(s.getFrom(), s.getTo(), s.getCiphertext().toByteArray())).toList();
    }

    /** @return an unmask request on the wire */
    public static SecAggUnmaskRequest unmask(UnmaskRequest r) {
        return SecAggUnmaskRequest.newBuilder().addAllSurvivors(r.survivors()).addAllDropped(r.dropped()).build();
    }

    /** @return an unmask request from the wire */
    public static UnmaskRequest unmask(SecAggUnmaskRequest m) {
        return new UnmaskRequest(List.copyOf(m.getSurvivorsList()), List.copyOf(m.getDroppedList()));
    }

    /** @return revealed shares on the wire */
    public static SecAggReveal reveal(Reveal r) {
        SecAggReveal.Builder b = SecAggReveal.newBuilder();
        r.selfMaskShares().forEach((owner, share) -> b.addSelfMaskShares(secret(owner, share)));
        r.keyShares().forEach((owner, share) -> b.addKeyShares(secret(owner, share)));
        return b.build();
    }

    /** @return revealed shares from the wire; a repeated owner keeps its first share (the protocol refuses it anyway) */
    public static Reveal reveal(int from, SecAggReveal m) {
        return new Reveal(from, owners(m.getSelfMaskSharesList()), owners(m.getKeySharesList()));
    }

    private static SecAggSecretShare secret(int owner, byte[] share) {
        return SecAggSecretShare.newBuilder().setOwner(owner).setShare(ByteString.copyFrom(share)).build();
    }

    private static Map<Integer, byte[]> owners(List<SecAggSecretShare> shares) {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        shares.forEach(s -> m.putIfAbsent(s.getOwner(), s.getShare().toByteArray()));
        return m;
    }
}
