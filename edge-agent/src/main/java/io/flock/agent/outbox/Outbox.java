package io.flock.agent.outbox;

import io.flock.agent.DeviceConditions;
import io.flock.agent.link.CoordinatorClient;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results produced while the coordinator is away wait here, on disk, until they are delivered. An
 * upload is retried with exponential backoff (0.25 s up to 8 s) while the coordinator is unreachable
 * or busy, and dropped with a WARN when the coordinator refuses it for good (e.g. the round closed).
 * Retries are safe: the idempotency key makes the coordinator accept an update once.
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private final Path dir;
    private final CoordinatorClient coordinator;
    private final UploadRoute route;
    private final ScheduledExecutorService executor;
    private final String deviceId;
    private final DeviceConditions conditions;
    private final AtomicLong uploaded = new AtomicLong();
    /**
     * Answers after which the same upload may still be accepted: the coordinator was unreachable, slow, busy
     * (UNAVAILABLE is also its "intake full, retry later") or failed inside (INTERNAL, e.g. a store closing under a
     * shutdown). Every other status is the coordinator's definitive word on this update (malformed, round closed,
     * already delivered, oversized, unknown device), and only then is the update dropped.
     */
    static final Set<Status.Code> TRANSIENT = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.ABORTED, Status.Code.CANCELLED);

    /**
     * @param dir      where pending uploads are kept
     * @param executor runs deliveries and retries
     */
    public Outbox(Path dir, CoordinatorClient coordinator, ScheduledExecutorService executor, String deviceId,
                  DeviceConditions conditions) {
        this(dir, coordinator, (header, payload, timeout) -> coordinator.upload(header, payload, timeout), executor, deviceId,
                conditions); // resolved at delivery: an outbox that never delivers needs no client
    }

    /** @param route where updates go (a gateway's pre-aggregation, or the coordinator); secure stages still use {@code coordinator} */
    public Outbox(Path dir, CoordinatorClient coordinator, UploadRoute route, ScheduledExecutorService executor, String deviceId,
                  DeviceConditions conditions) {
        this.route = route;
        this.conditions = conditions;
        this.dir = dir;
        this.coordinator = coordinator;
        this.executor = executor;
        this.deviceId = deviceId;
    }

    /** @return the client uploads go through (a secure round's stages use it directly: they cannot wait in a queue) */
    public CoordinatorClient coordinator() {
        return coordinator;
    }

    /** Keeps the upload on disk, then delivers it in the background. */
    public void submit(PendingUpload upload) throws IOException {
        Path file = write(upload);
        later(file, 250, 0);
    }

    /** Re-sends whatever a previous run left behind. */
    public void resume() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> left;
        try (Stream<Path> s = Files.list(dir)) {
            left = s.filter(p -> p.toString().endsWith(".upd")).sorted().toList();
        }
        for (Path p : left) {
            later(p, 250, 0);
        }
    }

    /**
     * Schedules a delivery; when the agent is stopping (its executor shut down) the upload stays on disk, and the next
     * start's {@link #resume()} sends it.
     */
    private void later(Path file, long backoffMs, long delayMs) {
        try {
            executor.schedule(() -> deliver(file, backoffMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            log.info("device={} stopping: {} stays in the outbox for the next start", deviceId, file.getFileName());
        }
    }

    private void deliver(Path file, long backoffMs) {
        PendingUpload u;
        try {
            if (!Files.exists(file)) {
                return;
            }
            u = read(file);
        } catch (IOException e) {
            log.warn("device={} unreadable outbox entry {} dropped: {}", deviceId, file.getFileName(), e.getMessage());
            delete(file);
            return;
        }
        try {
            DeviceConditions.pause(conditions.uplink(u.payload().length));
            UploadReceipt r = route.upload(u.header(), u.payload(), Duration.ofSeconds(30));
            delete(file);
            uploaded.incrementAndGet();
            log.debug("device={} delivered update round={} outcome={}", deviceId, u.header().getRound(), r.getOutcome());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (TRANSIENT.contains(code)) {
                log.info("device={} upload of round={} not delivered ({} {}), retrying in {} ms", deviceId, u.header().getRound(), code,
                        e.getStatus().getDescription(), backoffMs);
                later(file, Math.min(8000, backoffMs * 2), backoffMs);
            } else {
                log.warn("device={} coordinator refused update round={}: {} {}", deviceId, u.header().getRound(), code,
                        e.getStatus().getDescription());
                delete(file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("device={} upload failed, retrying: {}", deviceId, e.toString());
            later(file, Math.min(8000, backoffMs * 2), backoffMs);
        }
    }

    /** @return updates the coordinator answered with a receipt since this outbox was made */
    public long uploaded() {
        return uploaded.get();
    }

    /** @return updates on disk waiting for delivery now (lists the directory: for scrapes, not hot paths) */
    public long pending() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".upd")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private Path write(PendingUpload u) throws IOException {
        Files.createDirectories(dir);
        String name = u.header().getIdempotencyKey().replaceAll("[^A-Za-z0-9._-]", "_") + ".upd";
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
            byte[] h = u.header().toByteArray();
            out.writeInt(h.length);
            out.write(h);
            out.writeInt(u.payload().length);
            out.write(u.payload());
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static PendingUpload read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            UpdateHeader h = UpdateHeader.parseFrom(in.readNBytes(in.readInt()));
            return new PendingUpload(h, in.readNBytes(in.readInt()));
        }
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("device={} cannot delete outbox entry {}: {}", deviceId, file, e.getMessage());
        }
    }
}
