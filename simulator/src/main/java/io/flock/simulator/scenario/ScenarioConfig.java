package io.flock.simulator.scenario;

import io.flock.core.config.ConfigException;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.TrainingConfig;
import io.flock.simulator.fleetops.FleetOpsSpec;
import io.flock.simulator.report.ProcessCpu;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A resolved, validated scenario: every knob of a simulated run. Load it with {@link ScenarioLoader}.
 *
 * @param name            scenario name, used in reports
 * @param dataset         "system" (Debian dataset-fashion-mnist), "bundled" (the repository subset) or a directory
 * @param partition       how training data is split
 * @param devices         fleet size, >= 1
 * @param devicesPerRound devices sent a task per round, 1..devices
 * @param minResults      results that close a round early, 1..devicesPerRound
 * @param rounds          rounds to run, >= 0 (0 with workload push); with workload push, the timed pushes
 * @param workload        train (federated rounds) or push (warm-up pushes, then timed pushes)
 * @param model           network
 * @param pipeline        feature pipeline ({@link io.flock.core.data.FeaturePipeline} form, e.g. "scale:255:0.2860:0.3530")
 * @param training        local SGD settings
 * @param roundTimeout    round deadline
 * @param pushCodec       artifact codec
 * @param updateCodec     update codec
 * @param pushOnDemand    true: the coordinator only announces and devices fetch a version when a task needs it;
 *                        false: every version is broadcast to every device
 * @param profiles        device classes; shares sum to 1
 * @param faults          injected faults, by round
 * @param transport       dedicated (a connection pair per device) or gateway (shared connections)
 * @param devicesPerGateway devices sharing one MQTT session and gRPC connection in gateway mode
 * @param broker          where the embedded broker runs: in this JVM, or in a JVM of its own whose memory the report
 *                        reads apart
 * @param seed            the run seed: profile assignment, availability, dropouts, device selection, the initial
 *                        model and local shuffles; the partition's too unless it sets its own
 * @param warmupRuns      unmeasured runs of the whole scenario, each on its own broker, coordinator and fleet in
 *                        this JVM, before the measured one (0..20): the JIT compiles what the measured run executes
 * @param warmupJitShare  0: all {@code warmupRuns} run; in (0, 1): warming up stops after the first warm-up run in which
 *                        the JIT compiler threads used at most this share of the process's CPU over the rounds (or
 *                        pushes; {@link #warm}), and {@code warmupRuns} is the most that run
 * @param coordinator     coordinator keys passed through as they are (the scenario's {@code coordinator:} section, e.g.
 *                        {@code strategy.name}), applied over those the scenario's own keys imply
 * @param fleetOps        the serving windows, drift and rollout of a fleetops workload; null for the other workloads
 */
public record ScenarioConfig(String name, String dataset, PartitionSpec partition, int devices, int devicesPerRound,
                             int minResults, int rounds, Workload workload, ModelSpec model, String pipeline, TrainingConfig training,
                             Duration roundTimeout, String pushCodec, String updateCodec, boolean pushOnDemand,
                             List<DeviceProfile> profiles,
                             List<Fault> faults, Transport transport, int devicesPerGateway, BrokerPlacement broker,
                             long seed, int warmupRuns, double warmupJitShare, Map<String, String> coordinator,
                             FleetOpsSpec fleetOps) {
    /** What a run measures: training rounds, timed pushes, or training rounds then serving windows with drift or a rollout. */
    public enum Workload { TRAIN, PUSH, FLEETOPS }

    /**
     * How devices reach the broker and coordinator: each on its own connections, behind gateways that share theirs, or behind
     * gateways that also pre-aggregate their devices' updates (tiered aggregation: one upload per gateway and round).
     */
    public enum Transport { DEDICATED, GATEWAY, TIERED }

    /** Where the embedded MQTT broker runs; written in YAML as in-process or own-process. */
    public enum BrokerPlacement {
        IN_PROCESS, OWN_PROCESS;

        /** @return the YAML spelling */
        public String yamlName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * @param kind            iid, dirichlet or pathological
     * @param alpha           Dirichlet concentration (dirichlet only)
     * @param shardsPerDevice shards per device (pathological only)
     * @param seed            partition seed
     */
    public record PartitionSpec(String kind, double alpha, int shardsPerDevice, long seed) {
    }

    /** Cross-field checks; the message names the key. */
    public ScenarioConfig {
        ConfigException.require(devices >= 1, "devices", devices);
        ConfigException.require(devicesPerRound >= 1 && devicesPerRound <= devices, "devicesPerRound", devicesPerRound);
        ConfigException.require(minResults >= 1 && minResults <= devicesPerRound, "minResults", minResults);
        ConfigException.require(rounds >= 0 && (rounds >= 1 || workload == Workload.PUSH), "rounds", rounds);
        ConfigException.require(!roundTimeout.isNegative() && !roundTimeout.isZero(), "roundTimeout", roundTimeout);
        double shares = profiles.stream().mapToDouble(DeviceProfile::share).sum();
        if (profiles.isEmpty() || Math.abs(shares - 1) > 1e-6) {
            throw new ConfigException("deviceProfiles shares must sum to 1, got " + shares);
        }
        for (Fault f : faults) {
            ConfigException.require(f.round() <= Math.max(rounds, 1), "faults.round", f.round() + " (the scenario has " + rounds + " rounds)");
        }
        ConfigException.require(devicesPerGateway >= 1, "transport.devicesPerGateway", devicesPerGateway);
        if (transport == Transport.TIERED) {
            // a gateway's mean hides its devices' updates: from a robust rule, from central DP's per-device clipping, and
            // secure aggregation unmasks only a sum of individual masked vectors (the coordinator refuses such aggregates too)
            ConfigException.require(coordinator.getOrDefault("strategy.aggregator", "mean").equals("mean"), "strategy.aggregator",
                    coordinator.get("strategy.aggregator") + " (transport.mode tiered pre-aggregates at gateways: only the mean composes)");
            ConfigException.require(!coordinator.getOrDefault("training.secure-aggregation", "false").equals("true"),
                    "training.secure-aggregation", "true (transport.mode tiered: masked vectors cannot be pre-aggregated)");
            ConfigException.require(!coordinator.getOrDefault("privacy.mode", "off").equals("central"), "privacy.mode",
                    "central (transport.mode tiered: a gateway's mean breaks per-device clipping)");
        }
        ConfigException.require(warmupRuns >= 0 && warmupRuns <= 20, "warmupRuns", warmupRuns);
        ConfigException.require(warmupJitShare >= 0 && warmupJitShare < 1, "warmupJitShare", warmupJitShare);
        ConfigException.require((workload == Workload.FLEETOPS) == (fleetOps != null), "fleetops",
                "a fleetops: section goes with workload: fleetops, and only with it");
        profiles = List.copyOf(profiles);
        faults = List.copyOf(faults);
    }

    /**
     * @return this scenario with another run seed (selection, profiles, availability, dropouts, the initial model and
     *         local shuffles); the partition keeps the seed it was loaded with, so the devices hold the same data
     */
    public ScenarioConfig withSeed(long runSeed) {
        return new ScenarioConfig(name, dataset, partition, devices, devicesPerRound, minResults, rounds, workload, model, pipeline,
                training, roundTimeout, pushCodec, updateCodec, pushOnDemand, profiles, faults, transport, devicesPerGateway, broker,
                runSeed, warmupRuns, warmupJitShare, coordinator, fleetOps);
    }

    /** @return this scenario with these coordinator keys in place of its own (checked by the caller: ScenarioLoader) */
    ScenarioConfig withCoordinator(Map<String, String> keys) {
        return new ScenarioConfig(name, dataset, partition, devices, devicesPerRound, minResults, rounds, workload, model, pipeline,
                training, roundTimeout, pushCodec, updateCodec, pushOnDemand, profiles, faults, transport, devicesPerGateway, broker,
                seed, warmupRuns, warmupJitShare, Map.copyOf(keys), fleetOps);
    }

    /**
     * Whether warming up can stop after a warm-up run that cost {@code used}: only with a {@code warmupJitShare}, and
     * only when the JIT's share of the run's CPU is known and at most that. The share measures the JVM, not the result
     * being measured, so the rule cannot steer a number toward its target.
     */
    public boolean warm(ProcessCpu used) {
        double share = used.jitSeconds() / used.cpuSeconds();
        return warmupJitShare > 0 && Double.isFinite(share) && share <= warmupJitShare;
    }
}
