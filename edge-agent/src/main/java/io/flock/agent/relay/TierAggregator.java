package io.flock.agent.relay;

import io.flock.agent.link.AgentMqttLink;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.outbox.UploadRoute;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Digests;
import io.flock.core.codec.Codecs;
import io.flock.core.codec.ParameterCodec;
import io.flock.link.wire.TaskMessages;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tiered aggregation at a gateway: the devices behind it still train on their own data, but hand their deltas to the
 * gateway instead of the coordinator. Per round the gateway keeps the weighted mean of what they handed in (memory
 * O(P)) and uploads ONE update: the mean, with the total examples as its weight and each device's contribution (id, task,
 * examples), which the coordinator folds as one update of that many contributors; the result equals a flat FedAvg of the
 * same deltas up to float rounding. The gateway uploads when every device that got a plain train task answered (and no
 * new task came for 300 ms), or
 * {@code margin} before the task's deadline with those that did. What is not pre-aggregated goes straight to the
 * coordinator over the shared connection: secure rounds' masked vectors (the protocol unmasks only a sum of individual
 * vectors), updates clipped on the device for differential privacy (per-device sensitivity), and deltas arriving after
 * the gateway's upload. Deltas wait in memory only until the upload: a gateway that dies before it loses them (the
 * coordinator's deadline counts those devices as failures). Thread-safe.
 *
 * <p>Order of use: wrap each device's MQTT handler with {@link #watch} (so the gateway learns who got a task) and give
 * its outbox {@link #route}; {@link #close} cancels pending uploads.
 */
public final class TierAggregator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TierAggregator.class);
    private static final ParameterCodec UPLOAD_CODEC = Codecs.byName("fp32");
    /**
     * How long the gateway waits, once every device it saw a task for has answered, for more of the round's tasks: the
     * coordinator sends a round's tasks one by one, and a device that trains fast answers before its neighbours' tasks
     * arrive (fleet-100k's third rounds uploaded 121-180 times for 100 gateways without it).
     */
    private static final Duration SETTLE = Duration.ofMillis(300);
    private final String gatewayId;
    private final CoordinatorClient upstream;
    private final ArtifactVerifier verifier;
    private final ScheduledExecutorService timers;
    private final Executor uploads;
    private final Duration margin;
    private final Map<String, PendingRound> rounds = new HashMap<>();

    /**
     * @param gatewayId the gateway's device id: the sender of its aggregates
     * @param upstream  the gateway's own client to the coordinator (on the shared connection)
     * @param verifier  checks a task's signature before the gateway waits for it (as its device will)
     * @param timers    runs the deadline flushes
     * @param uploads   runs the aggregate uploads (they block)
     * @param margin    how long before a task's deadline the gateway uploads what it has
     */
    public TierAggregator(String gatewayId, CoordinatorClient upstream, ArtifactVerifier verifier, ScheduledExecutorService timers,
                          Executor uploads, Duration margin) {
        this.gatewayId = gatewayId;
        this.upstream = upstream;
        this.verifier = verifier;
        this.timers = timers;
        this.uploads = uploads;
        this.margin = margin;
    }

    /** @return the device's MQTT handler, which first notes a plain train task so the gateway waits for its delta */
    public AgentMqttLink.Handler watch(String deviceId, AgentMqttLink.Handler device) {
        return new AgentMqttLink.Handler() {
            @Override
            public void onAnnouncement(ModelAnnouncement announcement, boolean retained) {
                device.onAnnouncement(announcement, retained);
            }

            @Override
            public void onChunk(ArtifactChunk chunk) {
                device.onChunk(chunk);
            }

            @Override
            public void onTask(byte[] signedTask) {
                expect(deviceId, signedTask);
                device.onTask(signedTask);
            }
        };
    }

    /** @return where the device's outbox delivers: plain updates of an awaited task to this gateway, the rest to {@code direct} */
    public UploadRoute route(String deviceId, UploadRoute direct) {
        return (header, payload, timeout) -> {
            if (!offer(deviceId, header, payload)) {
                return direct.upload(header, payload, timeout);
            }
            return UploadReceipt.newBuilder().setOutcome(UploadReceipt.Outcome.ACCEPTED).setRound(header.getRound()).build();
        };
    }

    private void expect(String deviceId, byte[] signedTask) {
        DeviceTask task;
        try {
            task = TaskMessages.open(signedTask, verifier, deviceId, System.currentTimeMillis());
        } catch (TaskMessages.RefusedException e) {
            return; // the device refuses and reports it; nothing to wait for
        }
        if (!task.hasTrain() || task.getTrain().getSecureAggregation() || task.getTrain().getTraining().getClipNorm() > 0) {
            return;
        }
        TrainTask t = task.getTrain();
        synchronized (this) {
            PendingRound r = rounds.get(key(t.getModel(), t.getRound()));
            if (r == null || r.sent() && r.baseVersion != t.getBaseVersion()) {
                r = new PendingRound(t.getModel(), t.getRound(), t.getBaseVersion(), t.getDeadlineUnixMs());
                rounds.put(key(t.getModel(), t.getRound()), r);
                long flushIn = Math.max(0, t.getDeadlineUnixMs() - margin.toMillis() - System.currentTimeMillis());
                PendingRound pending = r;
                r.timer = timers.schedule(() -> uploads.execute(() -> flush(pending, "deadline")), flushIn, TimeUnit.MILLISECONDS);
                rounds.values().removeIf(old -> old.sent() && old.deadlineMs < System.currentTimeMillis());
            }
            r.expect(deviceId);
        }
    }

    /** @return whether the gateway took the update into its round's mean */
    private boolean offer(String deviceId, UpdateHeader h, byte[] payload) {
        if (h.hasPrivacy() || h.hasSecureAggregation() || h.getContributionsCount() > 0 || h.getNumExamples() <= 0) {
            return false;
        }
        synchronized (this) {
            PendingRound r = rounds.get(key(h.getModel(), h.getRound()));
            if (r == null || !r.takes(deviceId, h.getBaseVersion())) {
                return false;
            }
            r.add(deviceId, h.getTaskId(), Codecs.byName(h.getCodec().getName()).decode(payload), h.getNumExamples());
            if (r.complete()) {
                // a device of the round whose task is still on its way would miss the upload: settle first, then re-check
                timers.schedule(() -> uploads.execute(() -> flushIfComplete(r)), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        }
    }

    private void flushIfComplete(PendingRound r) {
        synchronized (this) {
            if (!r.complete()) {
                return; // another device got a task meanwhile: its answer schedules the next check
            }
        }
        flush(r, "all answered");
    }

    private void flush(PendingRound r, String why) {
        UpdateHeader.Builder header;
        byte[] payload;
        synchronized (this) {
            if (r.sent() || !r.seal()) {
                return;
            }
            payload = UPLOAD_CODEC.encode(r.mean());
            header = UpdateHeader.newBuilder().setDeviceId(gatewayId).setRound(r.round).setModel(r.model).setBaseVersion(r.baseVersion)
                    .setIdempotencyKey(gatewayId + "/" + r.model + "/r" + r.round).setNumExamples(r.totalExamples())
                    .setCodec(CodecDescriptor.newBuilder().setName(UPLOAD_CODEC.name())).setPayloadBytes(payload.length)
                    .setPayloadSha256(Digests.sha256Hex(payload)).addAllContributions(r.contributions());
        }
        upload(header.build(), payload, why, 1);
    }

    private void upload(UpdateHeader header, byte[] payload, String why, int attempt) {
        try {
            UploadReceipt receipt = upstream.upload(header, payload, Duration.ofSeconds(30));
            log.info("gateway={} round={} uploaded the mean of {} devices ({} examples, {}): {}", gatewayId, header.getRound(),
                    header.getContributionsCount(), header.getNumExamples(), why, receipt.getOutcome());
        } catch (io.grpc.StatusRuntimeException e) {
            boolean transientFailure = switch (e.getStatus().getCode()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, ABORTED -> true;
                default -> false;
            };
            if (transientFailure && attempt < 5) {
                timers.schedule(() -> uploads.execute(() -> upload(header, payload, why, attempt + 1)), 250L << attempt, TimeUnit.MILLISECONDS);
            } else {
                log.warn("gateway={} round={} aggregate of {} devices refused: {} {}", gatewayId, header.getRound(),
                        header.getContributionsCount(), e.getStatus().getCode(), e.getStatus().getDescription());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String key(String model, long round) {
        return model + "#" + round;
    }

    /** Cancels pending deadline uploads; what was not uploaded is dropped. Idempotent. */
    @Override
    public synchronized void close() {
        rounds.values().forEach(PendingRound::seal);
        rounds.clear();
    }
}
