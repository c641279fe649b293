package io.flock.coordinator.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable coordinator state: artifacts by SHA-256, models and their versions with stages and artifact
 * variants, devices, rounds, accepted updates and telemetry. Every write is durable when the method
 * returns. Implementations are thread-safe. The store knows rows, not the domain: the registry and the
 * round engine turn them into their own types.
 */
public interface FlockStore extends AutoCloseable {
    /** Stage name of a version that is stored but not served. */
    String CANDIDATE = "CANDIDATE";
    /** Stage name of the version devices are sent and serving answers with; at most one per model. */
    String PRODUCTION = "PRODUCTION";
    /** Stage name of a version served to a cohort. */
    String CANARY = "CANARY";
    /** Stage name of a former production version. */
    String ARCHIVED = "ARCHIVED";

    /** Stores bytes under their SHA-256; storing the same address twice is a no-op. */
    void saveArtifact(String sha256, String codec, byte[] bytes);

    /** @return the bytes stored under that address, empty when unknown */
    Optional<byte[]> artifact(String sha256);

    /**
     * Reserves the next version number of a model, creating the model on its first version. Numbers come
     * from the database (a row lock on the model), so concurrent publishers never share one; a reserved
     * number whose version is never saved leaves a gap.
     *
     * @return the reserved number, from 1
     */
    long reserveVersion(String model, String spec, String pipeline);

    /** Records a version and its variants in one transaction; their artifacts must already be stored. */
    void saveVersion(VersionRow version, List<VariantRow> variants);

    /** @return a stored version, empty when unknown */
    Optional<VersionRow> version(String model, long version);

    /** @return a version's variants, the pushed one first */
    List<VariantRow> variants(String model, long version);

    /** @return the newest versions of a model, newest first, at most {@code limit} */
    List<VersionRow> versions(String model, int limit);

    /** @return the names of the models, sorted */
    List<String> models();

    /** @return the production version's number, 0 when none */
    long productionVersion(String model);

    /** @return the highest version number saved, 0 when none */
    long latestVersion(String model);

    /** @return how many versions of the model are in each stage */
    Map<String, Long> stageCounts(String model);

    /**
     * Sets a version's stage in one transaction. Moving one to PRODUCTION archives the previous production
     * version. Setting the stage it has is a no-op.
     *
     * @return false when the version does not exist (nothing changed)
     */
    boolean setStage(String model, long version, String stage);

    /** Records held-out scores that arrive after a version was published: on the version, and on its round. */
    void recordScores(String model, long version, long round, double accuracy, double loss);

    /** Inserts or refreshes a device. */
    void upsertDevice(String deviceId, String hardware, long seenMs);

    /** @return every registered device (not revoked), by id */
    List<DeviceRow> devices();

    /** @return whether the device registered */
    boolean deviceExists(String deviceId);

    /** Records the model version a device reports it runs. */
    void recordRunningVersion(String deviceId, long version, String lastRejection);

    /** @return the reason the device last reported for rejecting an artifact or task, "" when none */
    String lastRejection(String deviceId);

    /** @return the version a device last reported, 0 when none */
    long runningVersion(String deviceId);

    /** Persists a newly opened round. */
    void openRound(RoundRecord round);

    /** @return the round of this model still OPEN, if any (at most one) */
    Optional<RoundRecord> openRound(String model);

    /** Marks a round CLOSED or FAILED. */
    void finishRound(String model, long round, String status, int accepted, double accuracy);

    /** @return the highest round number of the model, 0 when none */
    long lastRound(String model);

    /**
     * Persists an accepted update. Uniqueness is the database's: one row per (device, idempotency key) and
     * one per (model, round, device), so two concurrent uploads give exactly one row. On PostgreSQL an update of a
     * round that has a row in {@code rounds} is stored only while that round is OPEN and not sealed ({@link #sealRound}).
     *
     * @return SAVED, or what stopped it (nothing changed then)
     */
    StoredUpdate.Outcome saveUpdate(StoredUpdate update);

    /** @return the accepted updates of a round, in acceptance order */
    List<StoredUpdate> updates(String model, long round);

    /**
     * Seals an OPEN round (no update is stored for it from now on: {@link #saveUpdate} answers ROUND_CLOSED) or unseals
     * it. On PostgreSQL sealing waits for the updates being stored for the round to commit, so the updates read after it
     * are the round's final set, whichever replica stored them. (On H2, one process only, the round engine's lock does
     * that and the seal is recorded but not checked.)
     *
     * @return whether the round is OPEN (and now sealed or unsealed as asked)
     */
    boolean sealRound(String model, long round, boolean sealed);

    /** @return the devices whose updates a round holds, in acceptance order (a cheap check before {@link #updates}) */
    List<String> updatedDevices(String model, long round);

    /**
     * Persists a gateway's pre-aggregated update and its contributions atomically: all rows or none. Uniqueness as for
     * {@link #saveUpdate}, and one contribution per (model, round, device): a device counted by another aggregate of the
     * round gives CONFLICT.
     *
     * @param update        the gateway's row (device id = the gateway, weight = the contributions' total)
     * @param contributions the devices it averages, at least one
     * @return SAVED, or what stopped it (nothing changed then)
     */
    StoredUpdate.Outcome saveAggregate(StoredUpdate update, List<StoredContribution> contributions);

    /** @return the contributions of the round's pre-aggregated updates, empty when it had none */
    List<StoredContribution> contributions(String model, long round);

    /** Records the gateway a registered device sits behind (empty or null = none); a device not registered is left alone. */
    void assignGateway(String deviceId, String gatewayId);

    /** @return the devices registered or enrolled behind the gateway, empty when none */
    List<String> devicesBehind(String gatewayId);

    /**
     * Drops the payloads of a finished round's updates (kept: who sent what, its weight and the payload's
     * SHA-256): a published round is never folded again.
     */
    void dropPayloads(String model, long round);

    /**
     * @return the model's updates whose payload was not dropped yet, in acceptance order: for an asynchronous engine, the
     *         updates accepted since its last version (they span the windows their tasks were sent in)
     */
    List<StoredUpdate> pendingUpdates(String model);

    /** Drops the payloads of all of the model's updates: an asynchronous engine folded every one into a version. */
    void dropAllPayloads(String model);

    /**
     * Deletes the artifacts of a model's versions older than its newest {@code keepNewest}, but never those of a
     * production or canary version, nor bytes another kept version shares. The versions' rows stay, marked pruned, and
     * lose their server optimizer state (0.8 MB for momentum, 1.6 MB for Adam on the MLP): nothing can continue
     * training from a version without parameters.
     *
     * @return versions newly pruned
     */
    int pruneArtifacts(String model, int keepNewest);

    /** @return the database's size on disk in bytes (0 for an in-memory database) */
    long sizeBytes();

    /** Stores one telemetry window. */
    void saveTelemetry(TelemetryRow row);

    /** Deletes telemetry received before the cutoff; @return rows deleted */
    int pruneTelemetry(long receivedBeforeMs);

    /** @return a device's newest telemetry windows, newest first */
    List<TelemetryRow> telemetry(String deviceId, int limit);

    /** Records a task a device refused, and makes its reason the device's last rejection. */
    void saveTaskRejection(String deviceId, String model, long round, String taskId, String reason, long receivedMs);

    /** What an enrollment came to. */
    enum EnrollOutcome {
        /** Stored: a use of the token spent, the device enrolled, its certificate current. */
        ENROLLED,
        /** Nothing stored: the token is unknown, spent or expired. */
        BAD_TOKEN,
        /** Nothing stored: the device id is enrolled and not revoked (revoke it first to enroll it anew). */
        ALREADY_ENROLLED
    }

    /** Stores an enrollment token by its SHA-256 (the token itself is never stored). */
    void saveEnrollmentToken(String sha256, int uses, long expiresMs, long createdMs);

    /** @return whether a token with this SHA-256 exists, has uses left and has not expired at {@code nowMs} (nothing spent) */
    boolean enrollmentTokenUsable(String sha256, long nowMs);

    /** Enrolls a device in one transaction, or changes nothing. */
    EnrollOutcome enroll(EnrollmentRow enrollment);

    /** Records a renewed certificate of an enrolled device as current beside the ones before it. */
    void addCertificate(String deviceId, String fingerprint, long notAfterMs, long issuedMs);

    /** @return whether the certificate is one issued to the device, unexpired at {@code nowMs}, and neither it nor the device is revoked */
    boolean certificateAdmitted(String deviceId, String fingerprint, long nowMs);

    /** @return the device's identity record, empty for an unknown device */
    Optional<DeviceIdentityRow> deviceIdentity(String deviceId);

    /** Revokes a device and every certificate issued to it; @return the certificates revoked, -1 for an unknown device */
    int revokeDevice(String deviceId);

    /**
     * Stores an input set in one transaction, replacing the set of that name and dropping its predictions: readers see
     * the old set with its predictions, or the new one without.
     */
    void replaceInputSet(InputSetRow set);

    /** @return the registered input sets without their files, by name */
    List<InputSetRow> inputSets();

    /** @return the input set of that name with its file, empty when unknown */
    Optional<InputSetRow> inputSet(String name);

    /**
     * Stores a set's predictions in place of its earlier ones, in one transaction, only while the set is still the one
     * they were computed from (same name and file digest).
     *
     * @return false when the set was replaced or is gone (nothing stored)
     */
    boolean saveBatchResult(BatchResultRow result);

    /** @return every set's stored predictions without their payloads, by set name */
    List<BatchResultRow> batchResults();

    /** @return a set's stored predictions with their payload, empty while none are stored */
    Optional<BatchResultRow> batchResult(String set);

    /**
     * Re-stamps the device version of the predictions computed by one model version (their rows stay).
     *
     * @return sets re-stamped
     */
    int restampBatchResults(String model, long version, long deviceVersion);

    /**
     * Stores a new rollout, durably.
     *
     * @return its id
     */
    long saveRollout(RolloutRow rollout);

    /** Stores a rollout's stage, status, stage start and last decision, durably. */
    void updateRollout(RolloutRow rollout);

    /** @return the model's newest rollout, empty when it never had one */
    Optional<RolloutRow> latestRollout(String model);

    /** Stores a fleet event. */
    void saveFleetEvent(FleetEventRow event);

    /** @return the model's newest rounds with the versions they produced, oldest first */
    List<RoundSummary> rounds(String model, int limit);

    /** @return the model's newest fleet events, newest first */
    List<FleetEventRow> fleetEvents(String model, int limit);

    /** Stores one window's drift statistics. */
    void saveDrift(List<DriftRow> rows);

    /** @return the model's newest drift rows, oldest first */
    List<DriftRow> drift(String model, int limit);

    /** Stores a noised round's accounting, durably; a second row for the same model and round is refused. */
    void savePrivacy(PrivacyRow row);

    /** @return the model's privacy ledger, oldest round first */
    List<PrivacyRow> privacyLedger(String model);

    /** Deletes drift rows of windows that closed before the cutoff; @return rows deleted */
    int pruneDrift(long windowEndBeforeMs);

    /**
     * Takes or renews a model's lease, atomically even between processes sharing the database: it succeeds when no one
     * holds it, the lease expired ({@code expiresMs <= nowMs}) or {@code holder} already holds it. A new holder's epoch is
     * the previous one plus one (1 for the first); a renewal keeps the epoch and moves the expiry to {@code nowMs + ttlMs}
     * (never earlier than it was). Of concurrent callers at most one gets a lease that another holds or just took.
     *
     * @param holder a non-empty replica id
     * @param nowMs  the caller's clock, Unix ms; replicas' clocks must agree to well within the ttl
     * @return the lease when {@code holder} holds it after the call, empty when another holder does
     */
    Optional<LeaseRow> tryAcquireLease(String model, String holder, long nowMs, long ttlMs);

    /**
     * Releases a lease if {@code holder} still holds it under {@code epoch}, so another replica can take it at once; the
     * epoch is kept, so the next holder's is higher.
     *
     * @return false when the lease is another holder's or another epoch's (nothing changed)
     */
    boolean releaseLease(String model, String holder, long epoch);

    /** @return a model's lease, expired or not; empty when it never had one or it was released */
    Optional<LeaseRow> lease(String model);

    @Override
    void close();
}
