package io.flock.simulator;

import io.flock.agent.AgentMain;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorMain;
import io.flock.coordinator.cli.BatchCli;
import io.flock.coordinator.cli.DevicesCli;
import io.flock.coordinator.cli.ModelsCli;
import io.flock.coordinator.cli.RolloutCli;
import io.flock.core.FlockException;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.Distillation;
import io.flock.simulator.bench.FallbackBenchmark;
import io.flock.simulator.bench.ServingBenchmark;
import io.flock.simulator.bench.TrainingBenchmark;
import io.flock.simulator.compress.CompressionRun;
import io.flock.simulator.compress.CompressionStudy;
import io.flock.simulator.compress.DistillationPlan;
import io.flock.simulator.demo.Demo;
import io.flock.simulator.demo.DemoOptions;
import io.flock.simulator.failover.FailoverBenchmark;
import io.flock.simulator.failover.FailoverSpec;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.fleet.ScratchDirectory;
import io.flock.simulator.partition.DataSplit;
import io.flock.simulator.report.RunComparison;
import io.flock.simulator.scenario.ScenarioConfig;
import io.flock.simulator.scenario.ScenarioLoader;
import io.flock.simulator.scenario.Simulation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The {@code bin/flock} command line: demo, simulate, compare, bench, and the daemons' own entry points
 * (coordinator, models, batch; the agent's follows) for a launch from the simulator's classpath.
 */
@Command(name = "flock", mixinStandardHelpOptions = true, version = "flock 0.1.0",
        description = "Hybrid cloud-edge federated learning.",
        subcommands = {FlockCli.DemoCommand.class, FlockCli.CompressCommand.class, FlockCli.SimulateCommand.class, FlockCli.CompareCommand.class,
            FlockCli.BenchCommand.class, FlockCli.FailoverCommand.class,
            FlockCli.CoordinatorCommand.class, FlockCli.AgentCommand.class, FlockCli.ModelsCommand.class, FlockCli.BatchCommand.class,
            FlockCli.DevicesCommand.class, FlockCli.RolloutCommand.class,
            FlockCli.DataCommand.class})
public final class FlockCli {
    /** Entry point. */
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new FlockCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FlockException) {
                cmd.getErr().println("flock: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }

    /** A run's scratch directory; announced when kept, so the user can find it. */
    static ScratchDirectory scratch(String prefix, boolean keep) throws java.io.IOException {
        ScratchDirectory work = ScratchDirectory.create(prefix, keep);
        if (keep) {
            System.out.println("scratch directory (kept): " + work.path());
        }
        return work;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Coordinator + embedded broker + H2 + simulated devices on bundled Fashion-MNIST; writes report.json and plots.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = "--out", description = "output directory (default: flock-out/demo)")
        Path out = Path.of("flock-out", "demo");

        @Option(names = "--devices", description = "devices (default: 20)")
        int devices = 20;

        @Option(names = "--rounds", description = "rounds (default: 10)")
        int rounds = 10;

        @Option(names = "--data", description = "Fashion-MNIST directory (default: system dataset, else the bundled subset)")
        Path data;

        @Option(names = "--seed", description = "seed (default: 0)")
        long seed;

        @Option(names = {"-s", "--set"}, description = "coordinator key override, e.g. --set push.codec=fp32")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(names = "--keep-work", description = "keep the scratch directory (database, artifacts, device state)")
        boolean keepWork;

        @Option(names = "--cloud-spec", description = "the cloud model that answers offloads, trained first (default: ${DEFAULT-VALUE}; \"\" = none)")
        String cloudSpec = "cnn:28x28-16-32-128-10";

        @Option(names = "--cloud-rounds", description = "rounds of the cloud model (default: as --rounds)")
        Integer cloudRounds;

        @Option(names = "--predictions", description = "app predictions per device with the cloud up (default: ${DEFAULT-VALUE})")
        int predictions = 50;

        @Option(names = "--no-distill", description = "the device model does not learn from the cloud model's soft targets")
        boolean noDistill;

        @Option(names = "--serve", description = "after the demo, keep the coordinator, its dashboard and the devices up until Ctrl-C")
        boolean serve;

        @Override
        public Integer call() throws Exception {
            try (ScratchDirectory work = scratch("flock-demo-", keepWork)) {
                new Demo(new DemoOptions(devices, rounds, predictions, data, work.path(), out, seed, set, cloudSpec,
                        cloudRounds == null ? rounds : cloudRounds, !noDistill), System.out).serveUntilInterrupted(serve).run(WireTap.NONE);
            }
            return 0;
        }
    }

    @Command(name = "compress", mixinStandardHelpOptions = true,
            description = "Train a model federated (the demo's fleet), compress it with each pipeline and compare bytes, accuracy and "
                    + "device latency; writes compression.json and compression.png.")
    static final class CompressCommand implements Callable<Integer> {
        @Option(names = "--out", description = "output directory (default: flock-out/compress)")
        Path out = Path.of("flock-out", "compress");

        @Option(names = "--devices", description = "devices in the training run (default: 10)")
        int devices = 10;

        @Option(names = "--rounds", description = "training rounds (default: 15)")
        int rounds = 15;

        @Option(names = "--pipelines", split = ";", description = "pipelines to compare, separated by ';' (default: fp32, fp16, "
                + "int8, int4, five pruning and three low-rank pipelines)")
        List<String> pipelines = CompressionStudy.DEFAULT_PIPELINES;

        @Option(names = "--fine-tune-rounds", description = "federated rounds of fine-tuning with the mask per pruning pipeline, "
                + "0 = none (default: 10)")
        int fineTuneRounds = 10;

        @Option(names = "--data", description = "Fashion-MNIST directory (default: system dataset, else the bundled subset)")
        Path data;

        @Option(names = "--seed", description = "seed (default: 0)")
        long seed;

        @Option(names = {"-s", "--set"}, description = "coordinator key override, e.g. --set model.spec=mlp:784-100-10")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(names = "--distill", negatable = true, description = "add distillation rows: a teacher trained federated in the same fleet"
                + " and a compact student trained with and without it (default: on; --no-distill to skip)")
        boolean distill = true;

        @Option(names = "--fine-tune-teacher", description = "fine-tuning (the dense control's too) also learns from the teacher's"
                + " soft targets (default: off)")
        boolean fineTuneTeacher;

        @Option(names = "--teacher", description = "the teacher's spec (default: cnn:28x28-16-32-128-10)")
        String teacher = DistillationPlan.DEFAULT.teacher().toString();

        @Option(names = "--student", description = "the student's spec (default: mlp:784-64-10)")
        String student = DistillationPlan.DEFAULT.student().toString();

        @Option(names = "--temperature", description = "distillation temperature (default: 4)")
        float temperature = DistillationPlan.DEFAULT.distillation().temperature();

        @Option(names = "--alpha", description = "weight of the soft-target loss in [0, 1] (default: 0.5)")
        float alpha = DistillationPlan.DEFAULT.distillation().alpha();

        @Override
        public Integer call() throws Exception {
            pipelines.forEach(CompressionPipeline::parse); // a bad pipeline fails before the training run
            DistillationPlan plan = distill ? new DistillationPlan(ModelSpec.parse(teacher), ModelSpec.parse(student),
                    new Distillation(temperature, alpha)) : null;
            try (ScratchDirectory work = scratch("flock-compress-", false)) {
                new CompressionRun(new DemoOptions(devices, rounds, 0, data, work.path(), out, seed, set), pipelines, fineTuneRounds, plan,
                        fineTuneTeacher, System.out).run();
            }
            return 0;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "Run a scenario (a YAML file or a shipped name) on real agents, a real coordinator and broker.")
    static final class SimulateCommand implements Callable<Integer> {
        @Option(names = "--config", description = "scenario YAML file")
        Path config;

        @Option(names = "--scenario", description = "shipped scenario: smoke-20, fmnist-path-100(-compressed, -fp32), fmnist-niid-bench, "
                + "fleet-1k, fleet-10k, fleet-100k, push-1k, fmnist-byzantine-(clean, gaussian, sign-flip, scale, label-flip), "
                + "fmnist-drift-(control, brightness, noise, rotation, label-shift, concept, partial), fmnist-rollout-(good, bad), "
                + "fmnist-dp-(none, eps1, eps4, eps8), fmnist-secagg(-dropout), fmnist-async(-sync)")
        String name;

        @Option(names = "--out", description = "output directory (default: flock-out/<scenario>)")
        Path out;

        @Option(names = "--runs", description = "measured runs, run k with seed + k - 1 on the same partition; "
                + "more than one writes DIR/run-K and compares them in DIR/runs.json (default: 1)")
        int runs = 1;

        @Option(names = "--keep-work", description = "keep the scratch directory (database, artifacts, device state)")
        boolean keepWork;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a coordinator key over the scenario's coordinator: "
                + "section, e.g. --set strategy.aggregator=median --set strategy.name=fedavgm (repeatable)")
        Map<String, String> coordinatorKeys = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if ((config == null) == (name == null)) {
                throw new ConfigException("give exactly one of --config FILE or --scenario NAME");
            }
            ScenarioConfig scenario = ScenarioLoader.withCoordinatorKeys(
                    config != null ? ScenarioLoader.fromFile(config) : ScenarioLoader.named(name), coordinatorKeys);
            Path dir = out != null ? out : Path.of("flock-out", scenario.name());
            try (ScratchDirectory work = scratch("flock-sim-", keepWork)) {
                new Simulation(scenario, System.out).run(dir, work.path(), WireTap.NONE, runs);
            }
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare two series of runs (simulate --runs N), paired by run seed: per number, each side's median "
                    + "and the candidate-minus-baseline difference per seed (median, min, max, mean).")
    static final class CompareCommand implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "baseline: runs.json or the directory holding it")
        Path baseline;

        @CommandLine.Parameters(index = "1", description = "candidate: runs.json or the directory holding it")
        Path candidate;

        @Option(names = "--out", description = "also write the comparison to this JSON file")
        Path out;

        @Override
        public Integer call() throws Exception {
            RunComparison comparison = RunComparison.of(baseline, candidate);
            comparison.print(System.out);
            if (out != null) {
                comparison.write(out);
                System.out.println("comparison in " + out.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Micro-benchmarks; 'training': one W1 device's local training, dense kernel against DJL, one thread;"
                    + " 'serving': offloaded predictions over gRPC, dynamic batching against batch-1, and the cache;"
                    + " 'fallback': the agent's answers with the cloud refused or hung, against local answers.")
    static final class BenchCommand implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", description = "what to measure: training, serving or fallback")
        String what;

        @Option(names = "--reps", description = "timed repetitions per trainer (default: 200)")
        int reps = 200;

        @Option(names = "--warmup", description = "untimed repetitions per trainer first (default: 100)")
        int warmup = 100;

        @Option(names = "--data", description = "Fashion-MNIST directory (default: system dataset, else the bundled subset)")
        Path data;

        @Option(names = "--out", description = "output directory (default: flock-out/bench-WHAT)")
        Path out;

        @Option(names = "--clients", description = "serving: concurrent callers (default: 32)")
        int clients = 32;

        @Option(names = "--seconds", description = "serving: seconds a repetition (default: 10)")
        int seconds = 10;

        @Option(names = "--runs", description = "serving: repetitions of each configuration, interleaved (default: 3)")
        int runs = 3;

        @Option(names = "--apps", description = "fallback: concurrent app threads on the device (default: 1)")
        int fallbackApps = 1;

        @Option(names = "--requests", description = "fallback: requests a case (default: 2000)")
        int requests = 2000;

        @Override
        public Integer call() throws Exception {
            Path dir = out != null ? out : Path.of("flock-out", "bench-" + what);
            Path dataset = data != null ? data : BundledData.fashionMnist();
            switch (what) {
                case "training" -> new TrainingBenchmark(System.out).run(dataset, warmup, reps, dir);
                case "serving" -> {
                    try (ScratchDirectory work = scratch("flock-bench-serving-", false)) {
                        new ServingBenchmark(System.out).run(dataset, work.path(), clients, seconds, runs, dir);
                    }
                }
                case "fallback" -> new FallbackBenchmark(System.out).run(dataset, requests, fallbackApps, java.time.Duration.ofMillis(300), dir);
                default -> throw new ConfigException("unknown benchmark '" + what + "'; known: training, serving, fallback");
            }
            return 0;
        }
    }

    @Command(name = "failover", mixinStandardHelpOptions = true,
            description = "Coordinator fail-over: two replicas (child JVMs) on one PostgreSQL and real agents behind failing-over"
                    + " balancers; SIGKILL the lease holder mid-round, measure the take-over and the round's publication, and count"
                    + " accepted updates lost (must be 0).")
    static final class FailoverCommand implements Callable<Integer> {
        @Option(names = "--runs", description = "fail-overs to run (default: 3)")
        int runs = 3;

        @Option(names = "--agents", description = "edge agents, half behind each replica (default: 8)")
        int agents = 8;

        @Option(names = "--lease-ttl", description = "the replicas' lease ttl (default: 6s)")
        String ttl = "6s";

        @Option(names = "--round-timeout", description = "round timeout (default: 30s)")
        String roundTimeout = "30s";

        @Option(names = "--slow-training", description = "extra training time of the slower half of the agents (default: 8s)")
        String slow = "8s";

        @Option(names = "--postgres", description = "PostgreSQL JDBC URL; each run uses a schema of its own, dropped after"
                + " (default: jdbc:postgresql://127.0.0.1:5432/test?user=postgres)")
        String postgres = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

        @Option(names = "--mqtt", description = "broker URL (default: tcp://127.0.0.1:1883)")
        String mqtt = "tcp://127.0.0.1:1883";

        @Option(names = "--data", description = "Fashion-MNIST directory (default: system dataset, else the bundled subset)")
        Path data;

        @Option(names = "--out", description = "output directory (default: flock-out/failover)")
        Path out = Path.of("flock-out", "failover");

        @Override
        public Integer call() throws Exception {
            try (ScratchDirectory work = scratch("flock-failover-", false)) {
                Settings durations = Settings.resolve(Map.of("lease-ttl", ttl, "round-timeout", roundTimeout, "slow-training", slow), null,
                        Map.of(), Map.of());
                FailoverSpec spec = new FailoverSpec(agents, durations.duration("lease-ttl"), durations.duration("round-timeout"),
                        durations.duration("slow-training"), postgres, mqtt, data != null ? data : BundledData.fashionMnist(), work.path());
                Map<String, Object> report = new FailoverBenchmark(System.out).run(spec, runs, out);
                return (int) report.get("lostTotal") == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "coordinator", description = "Run a coordinator (the coordinator module's own entry point).")
    static final class CoordinatorCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return CoordinatorMain.run(args);
        }
    }

    @Command(name = "data", mixinStandardHelpOptions = true, description = "Prepare private data for devices run by hand.",
            subcommands = {FlockCli.DataSplitCommand.class})
    static final class DataCommand {
    }

    @Command(name = "split", mixinStandardHelpOptions = true,
            description = "Split a labelled IDX training set into one directory per device (DIR/device-001, ...), as the simulator does.")
    static final class DataSplitCommand implements Callable<Integer> {
        @Option(names = "--devices", required = true, description = "number of devices")
        int devices;

        @Option(names = "--partition", description = "iid, dirichlet:ALPHA or pathological:SHARDS (default: dirichlet:0.5)")
        String partition = "dirichlet:0.5";

        @Option(names = "--data", description = "Fashion-MNIST directory (default: system dataset, else the bundled subset)")
        Path data;

        @Option(names = "--seed", description = "partition seed (default: 0)")
        long seed;

        @Option(names = "--out", required = true, description = "output directory")
        Path out;

        @Override
        public Integer call() throws Exception {
            new DataSplit(System.out).split(data != null ? data : BundledData.fashionMnist(), devices, partition, seed, out);
            return 0;
        }
    }

    @Command(name = "agent", description = "Run an edge agent (the edge-agent module's own entry point).")
    static final class AgentCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return AgentMain.run(args);
        }
    }

    @Command(name = "models", description = "List, promote and roll back model versions on a running coordinator.")
    static final class ModelsCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return ModelsCli.run(args);
        }
    }

    @Command(name = "batch", description = "Register and list input sets whose predictions a running coordinator precomputes.")
    static final class BatchCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return BatchCli.run(args);
        }
    }

    @Command(name = "rollout", description = "Staged rollouts and fleet events on a running coordinator.")
    static final class RolloutCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return RolloutCli.run(args);
        }
    }

    @Command(name = "devices", description = "Make enrollment tokens and revoke devices on a running coordinator.")
    static final class DevicesCommand implements Callable<Integer> {
        @CommandLine.Unmatched
        String[] args = new String[0];

        @Override
        public Integer call() {
            return DevicesCli.run(args);
        }
    }
}
