package io.flock.coordinator.intake;

import io.flock.coordinator.strategy.ClientUpdate;
import java.util.List;

/**
 * A gateway's pre-aggregated update after the intake checked its fields and the gateway's membership and decoded it: the
 * weighted mean of its devices' deltas as one {@link ClientUpdate} (weight = their total examples, contributors = their
 * number), and who they are.
 *
 * @param gatewayId     the uploading gateway
 * @param round         the round it answers
 * @param contributions the devices it averages, distinct, at least one
 * @param update        the mean, weighted by the contributions' examples
 */
public record GatewayAggregate(String gatewayId, long round, List<Contribution> contributions, ClientUpdate update) {
    /** Copies the contributions. */
    public GatewayAggregate {
        contributions = List.copyOf(contributions);
    }
}
