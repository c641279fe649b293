package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one SecAgg+ round. Each stage collects inputs in any order until its close method is called:
 * advertise, closeAdvertise, share, closeShare, masked, closeMask, reveal, closeUnmask. A close called out of order
 * throws {@link IllegalStateException}; an input outside its stage throws {@link StageClosedException}; a refused
 * input ({@link InvalidInputException}) changes nothing; a replayed identical input returns {@link Receipt#DUPLICATE}.
 * A close that finds too few participants or shares throws {@link SecAggAbortedException} and leaves the server
 * {@link Stage#ABORTED}. Thread-safe: every method locks the server; key checks and vector digests run before the lock.
 */
public final class SecAggServer {
    private static final Logger LOG = LoggerFactory.getLogger(SecAggServer.class);

    private final SecAggParams params;
    private final NeighbourGraph graph;
    private final String round;
    private final byte[] probe = X25519.privateBytes(X25519.generate(new SecureRandom()).getPrivate());
    private Stage stage = Stage.ADVERTISE;
    private final Map<Integer, KeyAdvertisement> advertisements = new TreeMap<>();
    private ShareRouter router;
    private Set<Integer> sharers = Set.of();
    private MaskedSum masked;
    private Set<Integer> survivors = Set.of();
    private Unmasker unmasker;
    private Set<Integer> dropped = Set.of();

    /** @param params the round's parameters; the graph follows from them */
    public SecAggServer(SecAggParams params) {
        this.params = params;
        this.graph = NeighbourGraph.of(params);
        this.round = new String(params.roundId(), StandardCharsets.UTF_8);
    }

    /** @return the round's neighbour graph */
    public NeighbourGraph graph() {
        return graph;
    }

    /** @return the round's parameters */
    public SecAggParams params() {
        return params;
    }

    /** @return the current stage */
    public synchronized Stage stage() {
        return stage;
    }

    /** @return U3, who sent a masked vector, ascending; empty before {@link #closeMask} */
    public synchronized Set<Integer> survivors() {
        return survivors;
    }

    /**
     * Stage 1 input.
     *
     * @return ACCEPTED, or DUPLICATE when the same keys arrive again from the same participant
     * @throws InvalidInputException for an index outside 0..n-1, a key that is not a usable X25519 public key, or
     *                               different keys from a participant that already advertised
     * @throws StageClosedException  after {@link #closeAdvertise}
     */
    public Receipt advertise(KeyAdvertisement a) {
        if (a.index() < 0 || a.index() >= params.participants()) {
            throw new InvalidInputException("advertisement of participant " + a.index() + " outside 0.." + (params.participants() - 1));
        }
        X25519.agree(probe, a.encryptionKey(), "encryption key of " + a.index());
        X25519.agree(probe, a.maskingKey(), "masking key of " + a.index());
        synchronized (this) {
            open(Stage.ADVERTISE, "advertisement of participant " + a.index());
            KeyAdvertisement earlier = advertisements.putIfAbsent(a.index(), a);
            if (earlier == null) {
                return Receipt.ACCEPTED;
            }
            if (earlier.equals(a)) {
                return Receipt.DUPLICATE;
            }
            throw new InvalidInputException("participant " + a.index() + " already advertised different keys");
        }
    }

    /**
     * Ends stage 1. U1 is the advertisers less those with fewer than threshold neighbours in U1 (dropped repeatedly
     * until none is left: such a participant could not share its secrets).
     *
     * @return for each i in U1, the advertisements of its neighbours in U1, ascending
     * @throws SecAggAbortedException when |U1| &lt; threshold + 1
     */
    public synchronized Map<Integer, List<KeyAdvertisement>> closeAdvertise() {
        close(Stage.ADVERTISE);
        Set<Integer> kept = Membership.prune(advertisements.keySet(), graph, params.threshold());
        require(kept.size(), "advertise", advertisements.size() + " advertised");
        router = new ShareRouter(graph, kept);
        Map<Integer, List<KeyAdvertisement>> out = new TreeMap<>();
        for (int i : kept) {
            out.put(i, graph.neighbours(i).stream().filter(kept::contains).map(advertisements::get).toList());
        }
        stage = Stage.SHARE;
        LOG.info("secagg round={} advertise closed: {} of {} advertised, {} kept", round, advertisements.size(),
                params.participants(), kept.size());
        return out;
    }

    /**
     * Stage 2 input: participant {@code from}'s shares, one to each of its neighbours in U1.
     *
     * @return ACCEPTED, or DUPLICATE for an identical second bundle
     * @throws InvalidInputException see {@link ShareRouter#add}: a sender not in U1, a foreign share, a receiver not
     *                               a neighbour in U1, a receiver twice or missing, a different second bundle
     * @throws StageClosedException  outside stage 2
     */
    public synchronized Receipt share(int from, List<EncryptedShare> shares) {
        open(Stage.SHARE, "shares of participant " + from);
        return router.add(from, shares);
    }

    /**
     * Ends stage 2. U2 is the sharers less those with fewer than threshold neighbours in U2 (repeatedly; their
     * shares are not delivered, so no one masks with them).
     *
     * @return for each i in U2, the shares addressed to it from U2, ascending by sender
     * @throws SecAggAbortedException when |U2| &lt; threshold + 1
     */
    public synchronized Map<Integer, List<EncryptedShare>> closeShare() {
        close(Stage.SHARE);
        Set<Integer> sent = router.senders();
        sharers = Membership.prune(sent, graph, params.threshold());
        require(sharers.size(), "share", sent.size() + " shared");
        masked = new MaskedSum(params.length());
        stage = Stage.MASK;
        LOG.info("secagg round={} share closed: {} of {} shared, {} kept", round, sent.size(),
                advertisements.size(), sharers.size());
        return router.route(sharers);
    }

    /**
     * Stage 3 input, added into a running sum (O(length) memory).
     *
     * @return ACCEPTED, or DUPLICATE for the same vector again
     * @throws InvalidInputException for a wrong length, a sender not in U2, or a different second vector (the first stays)
     * @throws StageClosedException  outside stage 3
     */
    public Receipt masked(int from, int[] vector) {
        if (vector == null || vector.length != params.length()) {
            throw new InvalidInputException("masked vector of " + (vector == null ? "null" : vector.length + " ints")
                    + " from participant " + from + ", expected " + params.length());
        }
        byte[] digest = MaskedSum.digest(vector);
        synchronized (this) {
            open(Stage.MASK, "masked vector of participant " + from);
            if (!sharers.contains(from)) {
                throw new InvalidInputException("masked vector from participant " + from + ", which is not in U2");
            }
            return masked.add(from, vector, digest);
        }
    }

    /**
     * Ends stage 3. U3 is who sent a vector. Every i in U3 needs threshold neighbours in U3 to rebuild its seed, and
     * so does every dropped j in U2 with a neighbour in U3 (its masks are in the sum). Vectors cannot be taken back
     * out of the sum, so a shortfall aborts instead of pruning.
     *
     * @return for each i in U3, its neighbours in U2 split into survivors (in U3) and dropped
     * @throws SecAggAbortedException when U3 is empty or a participant above lacks threshold neighbours in U3
     */
    public synchronized Map<Integer, UnmaskRequest> closeMask() {
        close(Stage.MASK);
        Set<Integer> u3 = masked.senders();
        if (u3.isEmpty()) {
            abort("mask: no masked vector from the " + sharers.size() + " in U2");
        }
        Set<Integer> gone = new TreeSet<>(sharers);
        gone.removeAll(u3);
        Map<Integer, UnmaskRequest> requests;
        try {
            requests = Membership.requests(graph, sharers, u3, params.threshold());
        } catch (SecAggAbortedException e) {
            abort(e.getMessage());
            throw e;
        }
        survivors = Collections.unmodifiableSet(u3);
        dropped = Collections.unmodifiableSet(gone);
        unmasker = new Unmasker(params, graph, advertisements, requests);
        stage = Stage.UNMASK;
        LOG.info("secagg round={} mask closed: {} of {} sent vectors", round, u3.size(), sharers.size());
        return requests;
    }

    /**
     * Stage 4 input.
     *
     * @return ACCEPTED, or DUPLICATE for an identical second reveal
     * @throws InvalidInputException for a sender not in U3, a share not asked of it, bad share bytes, or a different
     *                               second reveal
     * @throws StageClosedException  outside stage 4
     */
    public synchronized Receipt reveal(Reveal r) {
        open(Stage.UNMASK, "reveal of participant " + r.from());
        return unmasker.add(r);
    }

    /**
     * Ends the round: rebuilds b_i for each i in U3 and s_sk_j for each dropped j with a neighbour in U3, and removes
     * their masks.
     *
     * @return the sum over U3 of the inputs, exact mod 2^32; a new array
     * @throws SecAggAbortedException naming the participant whose secret has fewer than threshold shares
     */
    public synchronized int[] closeUnmask() {
        close(Stage.UNMASK);
        try {
            unmasker.unmask(masked.sum(), survivors, dropped);
        } catch (SecAggAbortedException e) {
            stage = Stage.ABORTED;
            LOG.info("secagg round={} aborted: {}", round, e.getMessage());
            throw e;
        }
        stage = Stage.DONE;
        LOG.info("secagg round={} unmask closed: sum of {} inputs, {} dropped after sharing", round, survivors.size(),
                dropped.size());
        return masked.sum().clone();
    }

    private void require(int kept, String stageName, String context) {
        if (kept < params.threshold() + 1) {
            abort(stageName + ": " + context + ", " + kept + " kept, need threshold + 1 = " + (params.threshold() + 1));
        }
    }

    private void abort(String message) {
        stage = Stage.ABORTED;
        LOG.info("secagg round={} aborted: {}", round, message);
        throw new SecAggAbortedException(message);
    }

    private void open(Stage expected, String what) {
        if (stage != expected) {
            throw new StageClosedException(what + " arrived in stage " + stage + ", expected " + expected);
        }
    }

    private void close(Stage expected) {
        if (stage != expected) {
            throw new IllegalStateException("close of " + expected + " called in stage " + stage);
        }
    }
}
