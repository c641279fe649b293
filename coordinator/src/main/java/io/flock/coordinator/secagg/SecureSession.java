package io.flock.coordinator.secagg;

import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.security.AccessDeniedException;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.artifact.Digests;
import io.flock.core.secagg.EncryptedShare;
import io.flock.core.secagg.KeyAdvertisement;
import io.flock.core.secagg.MaskedVectors;
import io.flock.core.secagg.Reveal;
import io.flock.core.secagg.SecAggAbortedException;
import io.flock.core.secagg.SecAggParams;
import io.flock.core.secagg.SecAggServer;
import io.flock.core.secagg.UnmaskRequest;
import io.flock.core.tensor.ModelParameters;
import io.flock.link.wire.SecAggMessages;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One secure round's SecAgg+ protocol on the coordinator: maps devices to participant indices (their order in the
 * round's selection), feeds each stage's inputs to {@link SecAggServer}, and closes the stages in turn. Stage 1
 * (advertised keys) is also "training done": it closes like a plain round, at round.min-results or the round's deadline;
 * the later stages close when everyone still in has answered, or after secagg.stage-timeout. A device's call for a stage
 * is answered when the stage closes ({@link CompletableFuture}s, so no transport thread waits). Thread-safe.
 */
public final class SecureSession {
    private static final Logger log = LoggerFactory.getLogger(SecureSession.class);
    private final long round;
    private final SecAggServer server;
    private final SecAggParams params;
    private final Map<String, Integer> indexOf = new HashMap<>();
    private final Duration stageTimeout;
    private final SecureSum.Shape shape;
    private final CompletableFuture<Map<Integer, List<KeyAdvertisement>>> neighbourKeys = new CompletableFuture<>();
    private final CompletableFuture<Map<Integer, List<EncryptedShare>>> shares = new CompletableFuture<>();
    private final CompletableFuture<Map<Integer, UnmaskRequest>> unmask = new CompletableFuture<>();
    private final Map<Integer, String> maskedDigests = new HashMap<>();
    private final Set<Integer> advertised = new HashSet<>();
    private final Set<Integer> shared = new HashSet<>();
    private final Set<Integer> revealed = new HashSet<>();

    SecureSession(long round, SecAggParams params, List<String> participants, Duration stageTimeout, SecureSum.Shape shape) {
        this.round = round;
        this.params = params;
        this.server = new SecAggServer(params);
        this.stageTimeout = stageTimeout;
        this.shape = shape;
        for (int i = 0; i < participants.size(); i++) {
            indexOf.put(participants.get(i), i);
        }
    }

    /**
     * @param record the round just opened: its selection, in order, are the participants 0..n-1
     * @param plan   the round's plan (secure, with its secagg settings and clip norm)
     * @param base   the base model: the vectors are its parameters plus one weight coordinate
     * @return the round's session
     */
    public static SecureSession open(RoundRecord record, TrainingPlan plan, ModelParameters base) {
        int n = record.selected().size();
        SecAggParams params = SecAggMessages.params(record.model(), record.round(), record.baseVersion(), n, plan.secAgg().neighboursFor(n),
                plan.secAgg().thresholdFor(n), Math.toIntExact(base.totalSize() + 1));
        log.info("round={} secure aggregation: {} participants, {} neighbours each, threshold {}, {} ring coordinates", record.round(), n,
                params.neighbours(), params.threshold(), params.length());
        return new SecureSession(record.round(), params, record.selected(), plan.secAgg().stageTimeout(), SecureSum.Shape.of(plan, base, n));
    }

    /** @return the participant index of a device of the round */
    public int index(String device) {
        Integer i = indexOf.get(device);
        if (i == null) {
            throw new AccessDeniedException("device " + device + " is not a participant of secure round " + round);
        }
        return i;
    }

    /** Stage 1: a device's public keys; completes with its neighbours' keys when the stage closes. */
    public CompletableFuture<List<KeyAdvertisement>> advertise(String device, byte[] encryptionKey, byte[] maskingKey) {
        int i = index(device);
        synchronized (this) {
            server.advertise(new KeyAdvertisement(i, encryptionKey, maskingKey));
            advertised.add(i);
            notifyAll();
        }
        return neighbourKeys.thenApply(m -> member(m, i, "advertised keys"));
    }

    /** Stage 2: a device's encrypted shares; completes with the shares addressed to it when the stage closes. */
    public CompletableFuture<List<EncryptedShare>> share(String device, List<EncryptedShare> bundle) {
        int i = index(device);
        synchronized (this) {
            server.share(i, bundle);
            shared.add(i);
            notifyAll();
        }
        return shares.thenApply(m -> member(m, i, "shared"));
    }

    /** Stage 3: a device's masked vector, checked by its own decoder (length only) and added to the ring sum. */
    public Receipt masked(String device, String idempotencyKey, byte[] payload) {
        int i = index(device);
        String digest = Digests.sha256Hex(payload);
        synchronized (this) {
            String before = maskedDigests.get(i);
            if (before != null) {
                if (before.equals(digest)) {
                    return new Receipt(Receipt.Outcome.DUPLICATE, round, maskedDigests.size());
                }
                throw new UpdateConflictException("device " + device + " already sent a different masked vector in round " + round
                        + "; the first one stands");
            }
            server.masked(i, MaskedVectors.decode(payload, params.length()));
            maskedDigests.put(i, digest);
            notifyAll();
            return new Receipt(Receipt.Outcome.ACCEPTED, round, maskedDigests.size());
        }
    }

    /** After stage 3: completes with which of the device's neighbours sent a vector, when the stage closes. */
    public CompletableFuture<UnmaskRequest> awaitUnmask(String device) {
        int i = index(device);
        return unmask.thenApply(m -> member(m, i, "sent a masked vector"));
    }

    /** Stage 4: a device's revealed shares. @return devices that revealed so far */
    public int reveal(String device, Reveal reveal) {
        int i = index(device);
        if (reveal.from() != i) {
            throw new AccessDeniedException("device " + device + " is participant " + i + ", not " + reveal.from());
        }
        synchronized (this) {
            server.reveal(reveal);
            revealed.add(i);
            notifyAll();
            return revealed.size();
        }
    }

    /**
     * Waits until {@code wanted} devices advertised keys (finished training), all did, or the deadline passed.
     *
     * @return how many did
     */
    public synchronized int awaitAdvertised(int wanted, long deadlineNanos, BooleanSupplier aborted) throws InterruptedException {
        await(() -> advertised.size() >= Math.min(wanted, indexOf.size()), deadlineNanos, aborted);
        return advertised.size();
    }

    /**
     * Runs the stages after training: closes key advertisement, waits for shares, masked vectors and reveals in turn,
     * and unmasks.
     *
     * @return the round's sum, from the devices whose vectors arrived
     * @throws SecAggAbortedException when a stage ends below the threshold: nothing may be published
     */
    public SecureSum finish(BooleanSupplier aborted) throws InterruptedException {
        try {
            Map<Integer, List<KeyAdvertisement>> u1 = closing(server::closeAdvertise);
            neighbourKeys.complete(u1);
            synchronized (this) {
                await(() -> shared.size() >= u1.size(), System.nanoTime() + stageTimeout.toNanos(), aborted);
            }
            Map<Integer, List<EncryptedShare>> u2 = closing(server::closeShare);
            shares.complete(u2);
            synchronized (this) {
                await(() -> maskedDigests.size() >= u2.size(), System.nanoTime() + stageTimeout.toNanos(), aborted);
            }
            Map<Integer, UnmaskRequest> u3 = closing(server::closeMask);
            unmask.complete(u3);
            synchronized (this) {
                await(() -> revealed.size() >= u3.size(), System.nanoTime() + stageTimeout.toNanos(), aborted);
            }
            int[] sum = closing(server::closeUnmask);
            log.info("round={} secure aggregation: keys {} -> shares {} -> vectors {} -> reveals {}; sum unmasked", round, u1.size(),
                    u2.size(), u3.size(), revealed.size());
            return new SecureSum(sum, u3.size(), shape);
        } catch (SecAggAbortedException e) {
            abort(e.getMessage());
            throw e;
        }
    }

    /** @return masked vectors received */
    public synchronized int masked() {
        return maskedDigests.size();
    }

    /** Fails every device's pending stage call: the round ended without a sum. Idempotent. */
    public void abort(String reason) {
        RoundClosedException e = new RoundClosedException("secagg_aborted", "secure round " + round + " ended: " + reason);
        neighbourKeys.completeExceptionally(e);
        shares.completeExceptionally(e);
        unmask.completeExceptionally(e);
        synchronized (this) {
            notifyAll();
        }
    }

    private synchronized <T> T closing(java.util.function.Supplier<T> close) {
        return close.get();
    }

    private void await(BooleanSupplier done, long deadlineNanos, BooleanSupplier aborted) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (aborted.getAsBoolean()) {
                throw new InterruptedException("secure round " + round + " aborted: the coordinator is stopping");
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        }
    }

    private <T> T member(Map<Integer, T> stage, int i, String what) {
        T mine = stage.get(i);
        if (mine == null) {
            throw new RoundClosedException("secagg_late", "participant " + i + " of secure round " + round + " is out: it had not " + what
                    + " when the stage closed");
        }
        return mine;
    }
}
