package io.flock.coordinator.round;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.util.List;

/** What a round needs from outside its domain: task delivery, evaluation and the push of a new version. */
public interface RoundHooks {
    /**
     * Sends a train task for the round to each device (idempotent for a device that already has it).
     *
     * @return how many tasks could not be handed to the transport (those devices cannot answer)
     */
    int sendTrainTasks(RoundRecord round, ModelVersion base, List<String> devices, long deadlineUnixMs);

    /** @return held-out scores of candidate parameters, or null when no held-out set is configured */
    Evaluation evaluate(ModelParameters candidate);

    /** Makes a stored version current: serving, then the push to devices. */
    void push(ModelVersion version, ModelParameters parameters);
}
