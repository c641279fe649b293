package io.flock.coordinator.round;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.TrainingPlan;
import java.util.List;

/** Delivers a round's train tasks to devices (MQTT in production). */
public interface TaskSender {
    /**
     * Sends a train task for the round to each device (idempotent for a device that already has it).
     *
     * @return the devices whose task could not be handed to the transport (they cannot answer)
     */
    List<String> sendTrainTasks(RoundRecord round, ModelVersion base, TrainingPlan plan, List<String> devices, long deadlineUnixMs);
}
