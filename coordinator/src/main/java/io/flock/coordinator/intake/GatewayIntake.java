package io.flock.coordinator.intake;

import io.flock.coordinator.fleet.GatewayMembers;
import io.flock.coordinator.security.AccessDeniedException;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.StoredContribution;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Takes a gateway's pre-aggregated update (tiered aggregation): checks its contributions (fields, distinct devices, each
 * with examples > 0, all behind the gateway and no more than sit behind it, the total weight equal to their sum), lets the
 * engine check them against the round's tasks, decodes the mean, and persists and folds it as one update whose
 * contributors are counted as answered. A refusal changes nothing. Thread-safe.
 */
final class GatewayIntake {
    private final FlockStore store;
    private final GatewayMembers members;

    GatewayIntake(FlockStore store, GatewayMembers members) {
        this.store = store;
        this.members = members;
    }

    /**
     * @param decode decodes the payload against the task's base layout, within the intake's byte budget
     * @throws InvalidInputException  malformed or inconsistent contributions, or a total weight that does not add up
     * @throws AccessDeniedException  a contributor not behind the gateway, or more contributors than devices behind it
     */
    Receipt accept(UpdateSubmission s, TaskLedger ledger, BiFunction<UpdateSubmission, ModelParameters, ModelParameters> decode) {
        String gateway = s.deviceId();
        long total = requireContributions(s);
        if (total != s.numExamples()) {
            throw new InvalidInputException("gateway " + gateway + " claims num_examples=" + s.numExamples()
                    + " but its contributions add up to " + total);
        }
        int behind = members.count(gateway);
        if (s.contributions().size() > behind) {
            members.refresh(gateway);
            behind = members.count(gateway);
            if (s.contributions().size() > behind) {
                throw new AccessDeniedException("gateway " + gateway + " claims " + s.contributions().size() + " contributors but "
                        + behind + " devices are behind it");
            }
        }
        for (Contribution c : s.contributions()) {
            if (!members.contains(gateway, c.deviceId())) {
                throw new AccessDeniedException("gateway " + gateway + " counts device " + c.deviceId() + ", which is not behind it");
            }
        }
        OpenTask task = ledger.requireAggregate(s);
        ModelParameters mean = decode.apply(s, task.base());
        ClientUpdate update = new ClientUpdate(gateway, s.baseVersion(), mean, s.numExamples(), s.contributions().size(), 0);
        StoredUpdate row = new StoredUpdate(s.model(), task.round(), gateway, s.idempotencyKey(), s.numExamples(), s.baseVersion(),
                s.codec(), s.payload(), System.currentTimeMillis(), s.payloadSha256());
        List<StoredContribution> rows = new ArrayList<>(s.contributions().size());
        for (Contribution c : s.contributions()) {
            rows.add(new StoredContribution(s.model(), task.round(), c.deviceId(), gateway, c.taskId(), c.numExamples()));
        }
        GatewayAggregate aggregate = new GatewayAggregate(gateway, task.round(), s.contributions(), update);
        return ledger.acceptAggregate(task, aggregate, () -> store.saveAggregate(row, rows));
    }

    /** @return the contributions' total examples, after checking each one's fields, that they are distinct and not the gateway */
    private static long requireContributions(UpdateSubmission s) {
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (Contribution c : s.contributions()) {
            FieldLimits.require("contributions.device_id", c.deviceId(), FieldLimits.DEVICE_ID);
            FieldLimits.require("contributions.task_id", c.taskId(), FieldLimits.TASK_ID);
            if (c.deviceId() == null || c.deviceId().isEmpty()) {
                throw new InvalidInputException("gateway " + s.deviceId() + " sent a contribution without a device_id");
            }
            if (c.deviceId().equals(s.deviceId())) {
                throw new InvalidInputException("gateway " + s.deviceId() + " counts itself as a contributor");
            }
            if (!seen.add(c.deviceId())) {
                throw new InvalidInputException("gateway " + s.deviceId() + " counts device " + c.deviceId() + " twice");
            }
            if (c.numExamples() <= 0) {
                throw new InvalidInputException("gateway " + s.deviceId() + " counts device " + c.deviceId() + " with num_examples="
                        + c.numExamples() + ", must be > 0");
            }
            if (c.numExamples() > Long.MAX_VALUE - total) {
                throw new InvalidInputException("gateway " + s.deviceId() + " claims more examples than a long holds");
            }
            total += c.numExamples();
        }
        return total;
    }
}
