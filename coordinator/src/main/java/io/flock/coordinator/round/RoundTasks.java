package io.flock.coordinator.round;

import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.store.RoundRecord;
import io.flock.core.InvalidInputException;
import io.flock.core.secagg.MaskedVectors;
import io.flock.core.tensor.ModelParameters;

/**
 * Which task of an open round an upload answers: the one check shared by the round engine's open round and by a replica
 * that takes uploads for a round another replica runs ({@code replica.StoredRoundLedger}).
 */
public final class RoundTasks {
    private RoundTasks() {
    }

    /**
     * @param record the open round
     * @param secure whether the round aggregates securely (only masked vectors)
     * @param base   the parameters of the round's base version
     * @return the task the submission answers
     * @throws RoundClosedException  wrong_round, no_task (not selected, or another task id) or stale_base
     * @throws InvalidInputException a plain update for a secure round
     */
    public static OpenTask require(RoundRecord record, UpdateSubmission s, boolean secure, ModelParameters base) {
        if (s.round() != record.round()) {
            throw new RoundClosedException("wrong_round", "update for round " + s.round() + " of " + record.model() + " but round "
                    + record.round() + " is open");
        }
        if (!record.selected().contains(s.deviceId()) || !RoundEngine.taskId(record.model(), record.round(), s.deviceId()).equals(s.taskId())) {
            throw new RoundClosedException("no_task", "device " + s.deviceId() + " has no task '"
                    + FieldLimits.echo(s.taskId()) + "' in round " + record.round());
        }
        if (secure && !s.masked()) {
            throw new InvalidInputException("round " + record.round() + " of " + record.model() + " is secure: upload a masked vector"
                    + " (codec " + MaskedVectors.CODEC + "), not a plain update");
        }
        if (s.baseVersion() != record.baseVersion()) {
            throw new RoundClosedException("stale_base", "update trained from version " + s.baseVersion() + " but round "
                    + record.round() + " trains version " + record.baseVersion());
        }
        return new OpenTask(record.model(), record.round(), s.deviceId(), record.baseVersion(), base);
    }
}
