package io.flock.coordinator.replica;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.lease.ModelLease;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.round.TrainingSchedule;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One coordinator replica for tests, wired as CoordinatorServer wires one (store, registry, devices, round engine, intake
 * with the stored-round ledger, training leader, version follower) without transports: tasks are recorded, not sent.
 */
final class Replica implements AutoCloseable {
    static final String MODEL = "m";
    static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    final String name;
    final JdbcFlockStore store;
    final ModelRegistry registry;
    final DeviceRegistry devices;
    final RoundEngine engine;
    final UpdateIntake intake;
    final TrainingLeader leader;
    final VersionFollower follower;
    final List<RoundResult> finished = new CopyOnWriteArrayList<>();
    final List<String> tasked = new CopyOnWriteArrayList<>();

    /**
     * @param keys the signing keys every replica shares
     * @param ttl  the lease's time to live
     */
    Replica(String name, String jdbcUrl, Path keys, List<String> online, int perRound, int minResults, Duration timeout, Duration ttl)
            throws IOException {
        this.name = name;
        store = new JdbcFlockStore(jdbcUrl);
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(keys), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        online.forEach(d -> devices.statusChanged(d, true));
        Strategy strategy = Strategy.fedAvg(PLAN, 1f);
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, perRound, minResults, 1, timeout, 0), store, registry, devices,
                strategy, (round, base, plan, ds, deadline) -> {
                    tasked.addAll(ds);
                    return List.of();
                }, null, finished::add);
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
        intake.register(MODEL, new StoredRoundLedger(MODEL, engine, store, registry, strategy));
        leader = new TrainingLeader(new ModelLease(store, MODEL, name, ttl, ttl.dividedBy(4), Clock.systemUTC()), engine,
                () -> new TrainingSchedule(engine, TrainingSchedule.Mode.CONTINUOUS, Duration.ZERO, 1), ttl.dividedBy(3));
        follower = new VersionFollower(registry, List.of(MODEL), Duration.ofMillis(200));
    }

    Replica start() {
        leader.start();
        follower.start();
        return this;
    }

    @Override
    public void close() {
        follower.close();
        leader.close();
        engine.close();
        store.close();
    }
}
