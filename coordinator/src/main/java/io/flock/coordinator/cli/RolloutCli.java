package io.flock.coordinator.cli;

import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.FleetEvent;
import io.flock.proto.v1.FleetEventsRequest;
import io.flock.proto.v1.GateInfo;
import io.flock.proto.v1.RolloutInfo;
import io.flock.proto.v1.RolloutRequest;
import io.flock.proto.v1.StartRolloutRequest;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/flock rollout start|status|pause|resume|abort|rollback|events}: staged rollouts and the fleet's log of
 * decisions, over the coordinator's Admin gRPC service. Errors from the coordinator print as one line and exit 2.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Roll a candidate out in stages with health gates; pause, resume, abort or roll back; read the fleet's events.",
        subcommands = {RolloutCli.Start.class, RolloutCli.Status.class, RolloutCli.Pause.class, RolloutCli.Resume.class,
            RolloutCli.Abort.class, RolloutCli.Rollback.class, RolloutCli.Events.class})
public final class RolloutCli {
    @Mixin
    AdminChannel admin = new AdminChannel();

    PrintStream out = System.out;

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code */
    public static int run(String... args) {
        return Launcher.execute(new RolloutCli(), args);
    }

    <T> T call(Function<AdminGrpc.AdminBlockingStub, T> rpc) throws InterruptedException {
        return admin.call(rpc);
    }

    void print(RolloutInfo r) {
        out.printf(Locale.ROOT, "rollout %d of %s: version %d replacing %d, %s at stage %d/%d (%s %%), %d devices in the cohort%s%n",
                r.getId(), r.getModel(), r.getVersion(), r.getPreviousVersion(), r.getStatus(), r.getStage() + 1, r.getStagesPercentCount(),
                percent(r.getStagesPercentList().get(r.getStage())), r.getCanaryDevices(),
                r.getLabelsMap().isEmpty() ? "" : " with labels " + r.getLabelsMap());
        out.printf(Locale.ROOT, "stages %s %%, soak %d s, stage began %s%n", r.getStagesPercentList().stream().map(RolloutCli::percent)
                .collect(Collectors.joining(",")), r.getSoakMs() / 1000, Instant.ofEpochMilli(r.getStageStartedUnixMs()));
        out.println("last decision: " + r.getLastDecision());
        if (r.getGatesCount() > 0) {
            out.printf("%-18s %-10s %-10s %-10s %s%n", "gate", "canary", "control", "threshold", "result");
            for (GateInfo g : r.getGatesList()) {
                out.printf(Locale.ROOT, "%-18s %-10.4f %-10.4f %-10.4f %s%n", g.getName(), g.getCanary(), g.getControl(), g.getThreshold(),
                        g.getNote().isEmpty() ? (g.getPassed() ? "passed" : "FAILED") : "undecided: " + g.getNote());
            }
        }
        if (r.getStepsCount() > 0) {
            out.println("steps (newest first):");
            r.getStepsList().forEach(this::printEvent);
        }
    }

    void printEvent(FleetEvent e) {
        out.printf("%s %-8s %s%n", Instant.ofEpochMilli(e.getUnixMs()), e.getKind(), e.getDetail());
    }

    private static String percent(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a staged rollout of a candidate version.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        RolloutCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Parameters(index = "1", description = "the candidate version")
        long version;

        @Option(names = "--stages", split = ",", description = "cohort share per stage in percent, ending at 100 (default: rollout.stages)")
        List<Double> stages = List.of();

        @Option(names = "--soak", description = "seconds per stage (default: rollout.soak)")
        long soakSeconds;

        @Option(names = "--label", description = "only devices with this label, key=value (repeatable), e.g. hardware=rpi4")
        Map<String, String> labels = new LinkedHashMap<>();

        @Option(names = "--reason", description = "why, stored with the start")
        String reason = "";

        @Override
        public Integer call() throws Exception {
            parent.print(parent.call(a -> a.startRollout(StartRolloutRequest.newBuilder().setModel(model).setVersion(version)
                    .addAllStagesPercent(stages).setSoakSeconds(soakSeconds).putAllLabels(labels).setReason(reason).build())));
            return 0;
        }
    }

    /** A command on the model's rollout with a reason. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        RolloutCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Option(names = "--reason", description = "why, stored with the action")
        String reason = "";

        abstract BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc();

        @Override
        public Integer call() throws Exception {
            RolloutRequest r = RolloutRequest.newBuilder().setModel(model).setReason(reason).build();
            parent.print(parent.call(a -> rpc().apply(a, r)));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The model's newest rollout, its gates and steps.")
    static final class Status extends Action {
        @Override
        BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc() {
            return AdminGrpc.AdminBlockingStub::getRollout;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Hold the rollout at its stage.")
    static final class Pause extends Action {
        @Override
        BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc() {
            return AdminGrpc.AdminBlockingStub::pauseRollout;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a paused rollout.")
    static final class Resume extends Action {
        @Override
        BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc() {
            return AdminGrpc.AdminBlockingStub::resumeRollout;
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "End the rollout; its cohort returns to production.")
    static final class Abort extends Action {
        @Override
        BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc() {
            return AdminGrpc.AdminBlockingStub::abortRollout;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Roll back at once: the cohort returns, or after completion the previous version is production again.")
    static final class Rollback extends Action {
        @Override
        BiFunction<AdminGrpc.AdminBlockingStub, RolloutRequest, RolloutInfo> rpc() {
            return AdminGrpc.AdminBlockingStub::rollbackRollout;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "The fleet's newest events: rollouts, drift, retraining.")
    static final class Events implements Callable<Integer> {
        @ParentCommand
        RolloutCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Option(names = "--limit", description = "at most this many (default: 50)")
        int limit;

        @Override
        public Integer call() throws Exception {
            parent.call(a -> a.listFleetEvents(FleetEventsRequest.newBuilder().setModel(model).setLimit(limit).build())).getEventsList()
                    .forEach(parent::printEvent);
            return 0;
        }
    }
}
