package io.flock.agent.artifact;

import static io.flock.link.wire.ArtifactMessages.manifest;

import io.flock.agent.DeviceConditions;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.link.CoordinatorClient;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.ArtifactRejectedException;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.link.wire.ArtifactMessages;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings pushed versions onto the device: assembles MQTT chunks, fetches what is missing from the
 * coordinator (resuming after the last contiguous chunk), then verifies the SHA-256 and the
 * signature, decodes, loads, and keeps the result on disk as the last good model. Nothing
 * unverified is loaded; a rejected artifact leaves the current model serving. Pushed chunks are not
 * authenticated: when the bytes assembled from them do not verify, or a chunk contradicts one already
 * received, the artifact is fetched whole over gRPC and only that copy decides (a junk chunk on the broker
 * cannot make the device give up a version it can still fetch). Thread-safe.
 */
public final class ModelUpdater {
    private static final Logger log = LoggerFactory.getLogger(ModelUpdater.class);
    private static final long MAX_ARTIFACT_BYTES = 512L << 20;
    /** Fetch retries back off from 1 s, doubling, to this. */
    private static final long MAX_FETCH_BACKOFF_MS = 60_000;
    private static final int MAX_EARLY_CHUNKS = 1024;
    private final String deviceId;
    private final String model;
    private final ArtifactVerifier verifier;
    private final LocalModel local;
    private final DiskModelStore disk;
    private final CoordinatorClient coordinator;
    private final ScheduledExecutorService timers;
    private final Duration chunkWait;
    private final Runnable onChange;
    private final DeviceConditions conditions;
    private final boolean onDemand;
    private final Map<String, ArtifactChunk> earlyChunks = new LinkedHashMap<>();
    private ModelAnnouncement pending;
    private ArtifactAssembler assembler;
    /** When the pending artifact last made progress on MQTT (its announcement or a chunk). */
    private long lastProgressNanos;
    /** Failed gRPC fetches of the pending artifact, for the backoff. */
    private int fetchFailures;
    /** Whether the pending artifact's chunks are still coming on MQTT (not for a retained announcement). */
    private boolean chunksComing;
    /** Whether the pending artifact is being fetched whole over gRPC because its pushed chunks did not verify. */
    private boolean fetchingWhole;
    private volatile String lastRejection = "";
    private final AtomicLong rejections = new AtomicLong();

    /**
     * @param onChange told after every load or rejection ({@link #lastRejection()} says which), e.g. to send a heartbeat
     */
    public ModelUpdater(String deviceId, String model, ArtifactVerifier verifier, LocalModel local, java.nio.file.Path stateDir,
                        CoordinatorClient coordinator, ScheduledExecutorService timers, Duration chunkWait, Runnable onChange,
                        DeviceConditions conditions, boolean onDemand) {
        this.conditions = conditions;
        this.onDemand = onDemand;
        this.deviceId = deviceId;
        this.model = model;
        this.verifier = verifier;
        this.local = local;
        this.disk = new DiskModelStore(stateDir.resolve("models"));
        this.coordinator = coordinator;
        this.timers = timers;
        this.chunkWait = chunkWait;
        this.onChange = onChange;
    }

    /** Loads the last good model from disk, verifying it again; returns whether one was loaded. */
    public boolean restoreFromDisk() {
        try {
            var stored = disk.load();
            if (stored.isEmpty()) {
                return false;
            }
            install(stored.get().announcement(), stored.get().artifact(), false);
            log.info("device={} restored last good model version={} from disk", deviceId, local.version());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("device={} cannot restore the stored model: {}", deviceId, e.getMessage());
            return false;
        }
    }

    /**
     * Handles an announcement: starts assembling the announced version and arms the gRPC fetch (at once when
     * no chunks follow on MQTT). The announcement names the model's production version, which is what the
     * device should run: a lower number than the device runs is a rollback, and is loaded like any other.
     * On-demand devices only note it: a train task will fetch it.
     */
    public synchronized void onAnnouncement(ModelAnnouncement a, boolean retained) {
        // the coordinator sends an artifact's chunks before its announcement: keep this one's, and
        // drop the rest, which no announcement will claim
        List<ArtifactChunk> early = new ArrayList<>();
        for (ArtifactChunk c : earlyChunks.values()) {
            if (c.getSha256().equals(a.getSha256())) {
                early.add(c);
            }
        }
        earlyChunks.clear();
        if (!a.getModel().equals(model) || a.getVersion() == local.version()
                || (pending != null && pending.getSha256().equals(a.getSha256()))) {
            return;
        }
        if (onDemand && local.version() > 0) {
            log.debug("device={} noted version={}; fetching it when a task needs it", deviceId, a.getVersion());
            return;
        }
        try {
            verifier.verifySignature(manifest(a), a.getSignature().toByteArray());
            assembler = new ArtifactAssembler(a.getSha256(), a.getSizeBytes(), a.getChunkSizeBytes(), a.getChunkCount(), maxArtifactBytes());
        } catch (InvalidInputException | ArtifactRejectedException e) {
            reject(a, e.getMessage());
            return;
        }
        pending = a;
        fetchingWhole = false;
        fetchFailures = 0;
        lastProgressNanos = System.nanoTime();
        chunksComing = !retained && a.getChunksOnMqtt();
        for (ArtifactChunk c : early) {
            addChunk(c);
        }
        if (assembler.complete()) {
            finish();
        } else {
            long delay = chunksComing ? chunkWait.toMillis() : 0;
            String sha = a.getSha256();
            timers.schedule(() -> fetchRest(sha), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Handles one pushed chunk. */
    public synchronized void onChunk(ArtifactChunk c) {
        if (pending == null || !pending.getSha256().equals(c.getSha256())) {
            if (earlyChunks.size() < MAX_EARLY_CHUNKS) {
                earlyChunks.put(c.getSha256() + "/" + c.getIndex(), c);
            }
            return;
        }
        if (addChunk(c) && assembler.complete()) {
            finish();
        }
    }

    private boolean addChunk(ArtifactChunk c) {
        if (fetchingWhole) {
            return false;
        }
        try {
            if (!assembler.add(c)) {
                fetchWhole("chunk " + c.getIndex() + " arrived twice with different bytes");
                return false;
            }
        } catch (InvalidInputException e) {
            log.warn("device={} dropped chunk: {}", deviceId, e.getMessage());
            return false;
        }
        lastProgressNanos = System.nanoTime();
        return true;
    }

    /**
     * The pushed chunks of the pending artifact cannot be trusted: start over with an empty assembly, ignore further
     * chunks of it, and fetch it whole over gRPC at once. That copy is verified like any other, and rejected if it fails.
     */
    private void fetchWhole(String why) {
        ModelAnnouncement a = pending;
        log.warn("device={} pushed chunks of model={} version={} do not verify ({}); fetching it whole over gRPC", deviceId,
                a.getModel(), a.getVersion(), why);
        assembler = new ArtifactAssembler(a.getSha256(), a.getSizeBytes(), a.getChunkSizeBytes(), a.getChunkCount(), maxArtifactBytes());
        fetchingWhole = true;
        chunksComing = false;
        fetchFailures = 0;
        String sha = a.getSha256();
        timers.schedule(() -> fetchRest(sha), 0, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes sure {@code version} is loaded, fetching that version over gRPC when it is not (a train task's base: the coordinator
     * answers with any version that was production, so a task still trains from its base once a newer one replaced it).
     *
     * @return whether the device now runs that version
     */
    public boolean ensureVersion(long version, Duration timeout) {
        if (local.version() == version) {
            return true;
        }
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), chunkWait.toNanos() + 1_000_000_000L);
        while (System.nanoTime() < deadline && local.version() != version && assembling()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (local.version() == version) {
            return true;
        }
        ModelAnnouncement a = coordinator.modelVersion(model, version, timeout); // the base, even once a newer version replaced it
        if (a.getVersion() == version) {
            byte[] bytes = coordinator.fetchArtifact(a.getSha256(), 0, timeout);
            synchronized (this) {
                if (local.version() != version) {
                    install(a, bytes, true);
                }
            }
        }
        return local.version() == version;
    }

    private synchronized boolean assembling() {
        return pending != null;
    }

    private void fetchRest(String sha) {
        long offset;
        ModelAnnouncement a;
        ArtifactAssembler target;
        synchronized (this) {
            if (pending == null || !pending.getSha256().equals(sha) || assembler.complete()) {
                return;
            }
            // a busy broker fanning a push out to many devices delivers slowly but steadily: fetch the
            // rest only after chunk-wait without progress, not chunk-wait after the announcement
            long idle = System.nanoTime() - lastProgressNanos;
            if (chunksComing && idle < chunkWait.toNanos()) {
                timers.schedule(() -> fetchRest(sha), chunkWait.toNanos() - idle, TimeUnit.NANOSECONDS);
                return;
            }
            offset = assembler.contiguousBytes();
            target = assembler;
            a = pending;
            log.debug("device={} fetching version={} from offset {} over gRPC after {} ms without a chunk", deviceId,
                    a.getVersion(), offset, idle / 1_000_000);
        }
        try {
            byte[] tail = coordinator.fetchArtifact(sha, offset, Duration.ofSeconds(30));
            synchronized (this) {
                if (pending != null && pending.getSha256().equals(sha) && assembler == target) { // not restarted meanwhile
                    assembler.fill(offset, tail);
                    log.info("device={} fetched {} missing bytes of version={} from offset {}", deviceId, tail.length,
                            a.getVersion(), offset);
                    finish();
                }
            }
        } catch (RuntimeException e) {
            int failures;
            synchronized (this) {
                failures = ++fetchFailures;
            }
            if (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
                followCurrent(sha);
                return;
            }
            long delay = Math.min(MAX_FETCH_BACKOFF_MS, 1000L << Math.min(16, failures - 1));
            log.warn("device={} could not fetch artifact {} ({} failures): {}; retrying in {} ms", deviceId, sha.substring(0, 12),
                    failures, e.getMessage(), delay);
            timers.schedule(() -> fetchRest(sha), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The coordinator does not hold the announced artifact (forged, or pruned by now): ask it which version is
     * current and follow that announcement instead of asking for the missing one forever.
     */
    private void followCurrent(String missing) {
        ModelAnnouncement current;
        try {
            current = coordinator.currentModel(model, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            log.warn("device={} artifact {} is unknown to the coordinator and its current model cannot be read: {}", deviceId,
                    missing.substring(0, 12), e.getMessage());
            timers.schedule(() -> fetchRest(missing), MAX_FETCH_BACKOFF_MS, TimeUnit.MILLISECONDS);
            return;
        }
        synchronized (this) {
            if (pending != null && pending.getSha256().equals(missing)) {
                log.info("device={} artifact {} is unknown to the coordinator; following its current version={}", deviceId,
                        missing.substring(0, 12), current.getVersion());
                pending = null;
                assembler = null;
            }
        }
        if (!current.getSha256().equals(missing)) {
            onAnnouncement(current, true);
        }
    }

    /** Installs the complete pending artifact; bytes that came in part from pushed chunks get a second chance over gRPC. */
    private void finish() {
        ModelAnnouncement a = pending;
        byte[] bytes = assembler.bytes();
        boolean secondChance = assembler.pushed() && !fetchingWhole;
        pending = null;
        assembler = null;
        try {
            install(a, bytes, true);
        } catch (ArtifactRejectedException | InvalidInputException e) {
            if (secondChance) {
                pending = a;
                fetchWhole(e.getMessage());
            } else {
                reject(a, e.getMessage());
            }
        }
    }

    private void install(ModelAnnouncement a, byte[] bytes, boolean persist) {
        if (persist) {
            DeviceConditions.pause(conditions.downlink(bytes.length));
        }
        InstallSlots.run(() -> verifyAndLoad(a, bytes));
        if (persist) {
            try {
                disk.save(a, bytes);
            } catch (IOException e) {
                log.warn("device={} could not keep version={} on disk: {}", deviceId, a.getVersion(), e.getMessage());
            }
        }
        lastRejection = "";
        log.info("device={} verified and loaded model={} version={} bytes={}", deviceId, a.getModel(), a.getVersion(), bytes.length);
        onChange.run();
    }

    /**
     * The largest artifact this device sets room aside for: {@link #MAX_ARTIFACT_BYTES}, or a quarter of its heap
     * when that is smaller (a 96 MB device heap takes 24 MB, a hundred times the W1 MLP's int8 artifact).
     */
    private static long maxArtifactBytes() {
        return Math.min(MAX_ARTIFACT_BYTES, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Fetches another model's artifact over gRPC (a teacher's, for distillation) with the checks a pushed one gets:
     * the manifest's signature before any room is set aside, the size bound, then digest and signature of the bytes.
     * Nothing is loaded or kept.
     *
     * @return the decoded parameters
     * @throws ArtifactRejectedException when a check fails or the bytes do not decode
     */
    public ModelParameters fetchVerified(ModelAnnouncement a, Duration timeout) {
        ArtifactManifest manifest = manifest(a);
        verifier.verifySignature(manifest, a.getSignature().toByteArray());
        if (a.getSizeBytes() > maxArtifactBytes()) {
            throw new ArtifactRejectedException("artifact " + a.getModel() + " v" + a.getVersion() + " claims " + a.getSizeBytes()
                    + " bytes; this device takes at most " + maxArtifactBytes());
        }
        return decodeVerified(a, coordinator.fetchArtifact(a.getSha256(), 0, timeout));
    }

    /** @throws ArtifactRejectedException when the digest, size or signature is wrong, or the bytes do not decode */
    private ModelParameters decodeVerified(ModelAnnouncement a, byte[] bytes) {
        verifier.verify(manifest(a), a.getSignature().toByteArray(), bytes);
        return ArtifactMessages.decode(a, bytes);
    }

    private void verifyAndLoad(ModelAnnouncement a, byte[] bytes) {
        ModelParameters params = decodeVerified(a, bytes);
        local.swap(a.getModel(), a.getVersion(), a.getSha256(), ModelSpec.parse(a.getSpec()), FeaturePipeline.parse(a.getFeaturePipeline()), params);
    }

    private void reject(ModelAnnouncement a, String reason) {
        pending = null;
        assembler = null;
        lastRejection = reason;
        rejections.incrementAndGet();
        log.warn("device={} rejected model={} version={}: {}; keeping version={}", deviceId, a.getModel(), a.getVersion(), reason,
                local.version());
        onChange.run();
    }

    /** @return artifacts rejected since this updater was made */
    public long rejections() {
        return rejections.get();
    }

    /** @return why the last artifact was rejected, "" when the last one loaded */
    public String lastRejection() {
        return lastRejection;
    }
}
