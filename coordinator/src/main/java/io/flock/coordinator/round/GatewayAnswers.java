package io.flock.coordinator.round;

import io.flock.coordinator.intake.Contribution;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.GatewayAggregate;
import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.store.StoredUpdate;
import java.util.List;
import java.util.function.Supplier;

/**
 * The open round's side of tiered aggregation: checks a gateway's aggregate against the round's tasks and folds it, under
 * the round's own lock, so a contributor is counted once whether it answers directly or through a gateway, and never
 * after the round closed. Stateless; the state is the {@link OpenRound}'s.
 */
final class GatewayAnswers {
    private GatewayAnswers() {
    }

    /** @see io.flock.coordinator.intake.TaskLedger#requireAggregate */
    static OpenTask require(OpenRound round, UpdateSubmission s) {
        synchronized (round) {
            var record = round.record();
            if (round.isClosed() || s.round() != record.round()) {
                throw new RoundClosedException(round.isClosed() ? "round_closed" : "wrong_round", "aggregate for round " + s.round()
                        + " of " + record.model() + " but " + (round.isClosed() ? "round " + record.round() + " is closed"
                        : "round " + record.round() + " is open"));
            }
            if (!round.foldsMeans()) {
                throw new RoundClosedException("no_tiers", "round " + record.round() + " of " + record.model() + (round.secure() != null
                        ? " is secure: masked vectors cannot be pre-aggregated, each device uploads its own"
                        : " combines updates with a rule that is not a plain weighted mean (robust rule or central DP): a gateway's"
                        + " mean would hide its devices' updates from it, each device uploads its own"));
            }
            if (s.baseVersion() != record.baseVersion()) {
                throw new RoundClosedException("stale_base", "aggregate trained from version " + s.baseVersion() + " but round "
                        + record.round() + " trains version " + record.baseVersion());
            }
            if (replay(round, s)) {
                return task(round, s);
            }
            for (Contribution c : s.contributions()) {
                if (!record.selected().contains(c.deviceId())
                        || !RoundEngine.taskId(record.model(), record.round(), c.deviceId()).equals(c.taskId())) {
                    throw new RoundClosedException("no_task", "gateway " + s.deviceId() + " counts device " + c.deviceId()
                            + " for task '" + FieldLimits.echo(c.taskId()) + "', which round " + record.round() + " did not give it");
                }
                if (round.hasAnswered(c.deviceId())) {
                    throw new UpdateConflictException("gateway " + s.deviceId() + " counts device " + c.deviceId()
                            + ", which already answered round " + record.round());
                }
            }
            return task(round, s);
        }
    }

    /** @see io.flock.coordinator.intake.TaskLedger#acceptAggregate */
    static Receipt accept(OpenRound round, GatewayAggregate a, Supplier<StoredUpdate.Outcome> persist) {
        synchronized (round) {
            if (round.isClosed()) {
                throw new RoundClosedException("round_closed", "round " + a.round() + " of " + round.record().model() + " closed");
            }
            List<String> contributors = a.contributions().stream().map(Contribution::deviceId).toList();
            boolean replay = contributors.stream().allMatch(d -> round.countedThrough(d, a.gatewayId()));
            if (!replay) {
                for (String d : contributors) {
                    if (round.hasAnswered(d)) {
                        throw new UpdateConflictException("gateway " + a.gatewayId() + " counts device " + d
                                + ", which already answered round " + a.round());
                    }
                }
            }
            switch (persist.get()) {
                case DUPLICATE:
                    return new Receipt(Receipt.Outcome.DUPLICATE, a.round(), round.accepted());
                case CONFLICT:
                    throw new UpdateConflictException("gateway " + a.gatewayId() + " already delivered an aggregate for round " + a.round()
                            + " under another idempotency key, or one of its devices was counted by another");
                default: // never a replay here: the gateway's row for the round exists then, so the store answered otherwise
                    return new Receipt(Receipt.Outcome.ACCEPTED, a.round(), round.foldAggregate(a.gatewayId(), a.update(), contributors));
            }
        }
    }

    /** @return whether every contributor was already counted through this very gateway: a replay, for the store to judge */
    private static boolean replay(OpenRound round, UpdateSubmission s) {
        return s.contributions().stream().allMatch(c -> round.countedThrough(c.deviceId(), s.deviceId()));
    }

    private static OpenTask task(OpenRound round, UpdateSubmission s) {
        var record = round.record();
        return new OpenTask(record.model(), record.round(), s.deviceId(), record.baseVersion(), round.base());
    }
}
