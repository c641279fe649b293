package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One device's side of one SecAgg+ round. Call {@link #advertise}, {@link #share}, {@link #mask}, {@link #unmask}
 * in that order, each once; a call out of order throws {@link IllegalStateException}. A refused call
 * ({@link InvalidInputException}) changes nothing and may be retried with corrected input. Not thread-safe.
 * Secrets (keys, seed, held shares) never leave the object except as the protocol sends them.
 */
public final class SecAggClient {
    private final SecAggParams params;
    private final int index;
    private final SecureRandom random;
    private final NeighbourGraph graph;
    private final byte[] roundId;
    private int completed;
    private KeyPair encryptionKeys;
    private KeyPair maskingKeys;
    private byte[] selfSeed;
    private final Map<Integer, byte[]> shareKeys = new TreeMap<>();
    private final Map<Integer, byte[]> pairwiseKeys = new TreeMap<>();
    private HeldShares held;

    /**
     * @param params the round's parameters
     * @param index  this device's participant index, 0..n-1
     * @param random the source of every key, seed and polynomial
     */
    public SecAggClient(SecAggParams params, int index, SecureRandom random) {
        if (index < 0 || index >= params.participants()) {
            throw new InvalidInputException("participant " + index + " outside 0.." + (params.participants() - 1));
        }
        this.params = params;
        this.index = index;
        this.random = random;
        this.graph = NeighbourGraph.of(params);
        this.roundId = params.roundId();
    }

    /** Stage 1. @return two fresh public keys to send to the server */
    public KeyAdvertisement advertise() {
        expect(0, "advertise");
        encryptionKeys = X25519.generate(random);
        maskingKeys = X25519.generate(random);
        completed = 1;
        return new KeyAdvertisement(index, X25519.publicBytes(encryptionKeys.getPublic()),
                X25519.publicBytes(maskingKeys.getPublic()));
    }

    /**
     * Stage 2: picks the self-mask seed b and Shamir-shares b and s_sk among {@code neighbours}.
     *
     * @param neighbours the advertisements of this device's graph neighbours that advertised, as the server chose them
     * @return one encrypted share per advertised neighbour, ascending by receiver
     * @throws InvalidInputException for a non-neighbour, this device's own index, a repeated index, a key that is not
     *                               32 bytes or has small order, or fewer than threshold advertisements
     */
    public List<EncryptedShare> share(List<KeyAdvertisement> neighbours) {
        expect(1, "share");
        Map<Integer, byte[]> sKeys = new TreeMap<>();
        Map<Integer, byte[]> pKeys = new TreeMap<>();
        byte[] encryptionScalar = X25519.privateBytes(encryptionKeys.getPrivate());
        byte[] maskingScalar = X25519.privateBytes(maskingKeys.getPrivate());
        for (KeyAdvertisement a : neighbours) {
            int j = a.index();
            if (j == index) {
                throw new InvalidInputException("advertisement of participant " + j + " is this device's own");
            }
            if (j < 0 || j >= params.participants() || !graph.areNeighbours(index, j)) {
                throw new InvalidInputException("participant " + j + " is not a neighbour of " + index);
            }
            if (sKeys.containsKey(j)) {
                throw new InvalidInputException("two advertisements of participant " + j);
            }
            sKeys.put(j, Kdf.derive(X25519.agree(encryptionScalar, a.encryptionKey(), "encryption key of " + j), Kdf.SHARE_KEY, roundId));
            pKeys.put(j, Kdf.derive(X25519.agree(maskingScalar, a.maskingKey(), "masking key of " + j), Kdf.PAIRWISE_MASK, roundId));
        }
        if (sKeys.size() < params.threshold()) {
            throw new InvalidInputException(sKeys.size() + " neighbours advertised to " + index + ", threshold "
                    + params.threshold());
        }
        selfSeed = new byte[Shamir.SECRET_BYTES];
        random.nextBytes(selfSeed);
        List<Integer> xs = sKeys.keySet().stream().map(j -> j + 1).toList();
        Map<Integer, byte[]> seedShares = Shamir.split(selfSeed, params.threshold(), xs, random);
        Map<Integer, byte[]> keyShares = Shamir.split(X25519.privateBytes(maskingKeys.getPrivate()), params.threshold(), xs, random);
        List<EncryptedShare> out = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : sKeys.entrySet()) {
            int j = e.getKey();
            byte[] plain = new byte[ShareCipher.PLAINTEXT_BYTES];
            System.arraycopy(seedShares.get(j + 1), 0, plain, 0, Shamir.SHARE_BYTES);
            System.arraycopy(keyShares.get(j + 1), 0, plain, Shamir.SHARE_BYTES, Shamir.SHARE_BYTES);
            out.add(new EncryptedShare(index, j, ShareCipher.seal(e.getValue(), roundId, index, j, plain)));
        }
        shareKeys.putAll(sKeys);
        pairwiseKeys.putAll(pKeys);
        completed = 2;
        return out;
    }

    /**
     * Stage 3: decrypts and keeps the shares addressed to this device, then masks {@code input}.
     *
     * @param received the shares addressed to this device from neighbours that shared (U2), as the server relays them
     * @param input    {@code length} ints; not modified
     * @return input + PRG(b) + sum over senders j of (j &gt; index ? +PRG(s_ij) : -PRG(s_ij)), mod 2^32
     * @throws InvalidInputException for a wrong input length, a share not addressed to this device, a sender that is
     *                               not an advertised neighbour or appears twice, a failed tag, bad share bytes, or
     *                               fewer than threshold senders
     */
    public int[] mask(List<EncryptedShare> received, int[] input) {
        expect(2, "mask");
        if (input == null || input.length != params.length()) {
            throw new InvalidInputException("input of " + (input == null ? "null" : input.length + " ints")
                    + ", expected " + params.length());
        }
        HeldShares opened = HeldShares.open(received, shareKeys, index, params);
        int[] out = input.clone();
        MaskStream.apply(Kdf.derive(selfSeed, Kdf.SELF_MASK, roundId), out, 1);
        for (int j : opened.senders()) {
            MaskStream.apply(pairwiseKeys.get(j), out, j > index ? 1 : -1);
        }
        held = opened;
        completed = 3;
        return out;
    }

    /**
     * Stage 4: hands over the shares the server asks for.
     *
     * @param survivors neighbours that shared with this device and sent a masked vector: reveal their b shares
     * @param dropped   neighbours that shared with this device and sent none: reveal their s_sk shares
     * @throws InvalidInputException for an index in both lists or twice in one, an index that did not share with this
     *                               device, or survivors.size() + 1 &lt; threshold (too few survivors: the server could
     *                               learn this device's input, so the device aborts)
     */
    public Reveal unmask(List<Integer> survivors, List<Integer> dropped) {
        expect(3, "unmask");
        if (survivors.size() + 1 < params.threshold()) {
            throw new InvalidInputException(survivors.size() + " surviving neighbours of " + index
                    + " plus itself is below threshold " + params.threshold() + "; refusing to unmask");
        }
        Reveal reveal = held.reveal(survivors, dropped);
        completed = 4;
        return reveal;
    }

    /** @return this device's participant index */
    public int index() {
        return index;
    }

    private void expect(int done, String stage) {
        if (completed != done) {
            throw new IllegalStateException(stage + " called after " + completed + " completed stages, expected " + done);
        }
    }
}
