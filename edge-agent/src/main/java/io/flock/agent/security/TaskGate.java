package io.flock.agent.security;

import io.flock.core.artifact.ArtifactVerifier;
import io.flock.link.wire.TaskMessages;
import io.flock.proto.v1.DeviceTask;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into a device's training: a task from its topic is opened only when the coordinator signed it for this
 * device and its deadline is ahead ({@link TaskMessages}). A refused task is counted by reason and logged; a forged or
 * misaddressed one is also reported to the coordinator (an attack worth an operator's eye). An expired one is not: an
 * old task kept retained on the broker reaches every reconnecting device, and the round it belonged to is over.
 * Repeated task ids are the training worker's to ignore. Thread-safe.
 */
public final class TaskGate {
    private static final Logger log = LoggerFactory.getLogger(TaskGate.class);
    private final String deviceId;
    private final ArtifactVerifier verifier;
    private final LongSupplier clock;
    private final BiConsumer<DeviceTask, String> report;
    private final Map<TaskMessages.Refusal, AtomicLong> refused = new EnumMap<>(TaskMessages.Refusal.class);

    /**
     * @param verifier the coordinator's key
     * @param clock    now, in Unix ms
     * @param report   tells the coordinator of a forged or misaddressed task (the task as it claims to be, the reason)
     */
    public TaskGate(String deviceId, ArtifactVerifier verifier, LongSupplier clock, BiConsumer<DeviceTask, String> report) {
        this.deviceId = deviceId;
        this.verifier = verifier;
        this.clock = clock;
        this.report = report;
        for (TaskMessages.Refusal r : TaskMessages.Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    /** @return the verified task, or empty when it was refused (counted, logged and, when forged, reported) */
    public Optional<DeviceTask> open(byte[] payload) {
        try {
            return Optional.of(TaskMessages.open(payload, verifier, deviceId, clock.getAsLong()));
        } catch (TaskMessages.RefusedException e) {
            refused.get(e.refusal()).incrementAndGet();
            String id = TaskMessages.taskId(e.claimed());
            if (e.refusal() == TaskMessages.Refusal.EXPIRED) {
                log.info("device={} ignores task {}: {}", deviceId, id, e.getMessage());
            } else {
                log.warn("device={} refused task '{}' ({}): {}", deviceId, id, e.refusal(), e.getMessage());
                report.accept(e.claimed(), "refused " + e.refusal().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " task: "
                        + e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** @return tasks refused for {@code reason} since start */
    public long refused(TaskMessages.Refusal reason) {
        return refused.get(reason).get();
    }

    /** @return tasks refused for any reason since start */
    public long refused() {
        return refused.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
