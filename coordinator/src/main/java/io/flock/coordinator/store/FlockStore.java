package io.flock.coordinator.store;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.AcceptedUpdate;
import io.flock.coordinator.round.RoundRecord;
import java.util.List;
import java.util.Optional;

/**
 * Durable coordinator state: artifacts by SHA-256, model versions, devices, rounds and accepted
 * updates. Every write is durable when the method returns. Implementations are thread-safe.
 */
public interface FlockStore extends AutoCloseable {
    /** Stores bytes under their SHA-256; storing the same address twice is a no-op. */
    void saveArtifact(String sha256, String codec, byte[] bytes);

    /** @return the bytes stored under that address, empty when unknown */
    Optional<byte[]> artifact(String sha256);

    /** Records a new model version; its artifacts must already be stored. */
    void saveVersion(ModelVersion version);

    /** @return the highest version of a model, empty before the first */
    Optional<ModelVersion> latestVersion(String model);

    /** Inserts or refreshes a device. */
    void upsertDevice(String deviceId, String hardware, long seenMs);

    /** @return whether the device registered */
    boolean deviceExists(String deviceId);

    /** Records the model version a device reports it runs. */
    void recordRunningVersion(String deviceId, long version, String lastRejection);

    /** @return the reason the device last reported for rejecting an artifact, "" when none */
    String lastRejection(String deviceId);

    /** @return the version a device last reported, 0 when none */
    long runningVersion(String deviceId);

    /** Persists a newly opened round. */
    void openRound(RoundRecord round);

    /** @return the round of this model still OPEN, if any (at most one) */
    Optional<RoundRecord> openRound(String model);

    /** Marks a round CLOSED or FAILED. */
    void finishRound(String model, long round, String status, int accepted, double accuracy);

    /**
     * Records held-out scores that arrive after a version was published: on the version, and on the round that
     * produced it.
     */
    void recordScores(String model, long version, long round, double accuracy, double loss);

    /** @return the highest round number of the model, 0 when none */
    long lastRound(String model);

    /**
     * Persists an accepted update.
     *
     * @return false when an update with the same idempotency key is already stored (nothing changed)
     */
    boolean saveUpdate(AcceptedUpdate update);

    /** @return the accepted updates of a round, in acceptance order */
    List<AcceptedUpdate> updates(String model, long round);

    @Override
    void close();
}
