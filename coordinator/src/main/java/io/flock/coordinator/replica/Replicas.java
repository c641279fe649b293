package io.flock.coordinator.replica;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.lease.LeaseConfig;
import io.flock.coordinator.lease.ModelLease;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.TrainingSchedule;
import io.flock.coordinator.store.FlockStore;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

/** How a coordinator joins the replicas sharing its store: its id and its model's training leader. */
public final class Replicas {
    /** How often a replica catches up with the production version other replicas promote. */
    public static final Duration FOLLOW_EVERY = Duration.ofSeconds(1);

    private Replicas() {
    }

    /**
     * @param schedules makes a new, unstarted training schedule for each lease tenure
     * @return the (unstarted) leader of the configured model on this replica
     */
    public static TrainingLeader leader(CoordinatorConfig config, FlockStore store, RoundEngine engine, Supplier<TrainingSchedule> schedules) {
        LeaseConfig lease = config.lease();
        return new TrainingLeader(new ModelLease(store, config.model().name(), replicaId(lease), lease.ttl(), lease.margin(),
                Clock.systemUTC()), engine, schedules, lease.renewEvery());
    }

    /** @return the configured replica id, or host name, process id and a random suffix (unique per process) */
    static String replicaId(LeaseConfig lease) {
        if (!lease.replicaId().isEmpty()) {
            return lease.replicaId();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "host";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
