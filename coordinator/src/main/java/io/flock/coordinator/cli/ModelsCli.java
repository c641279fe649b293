package io.flock.coordinator.cli;

import io.flock.core.config.ConfigException;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.ListModelsRequest;
import io.flock.proto.v1.ListVersionsRequest;
import io.flock.proto.v1.ModelSummary;
import io.flock.proto.v1.PrivacyCost;
import io.flock.proto.v1.PromoteRequest;
import io.flock.proto.v1.RollbackRequest;
import io.flock.proto.v1.Stage;
import io.flock.proto.v1.TriggerRoundsRequest;
import io.flock.proto.v1.VariantInfo;
import io.flock.proto.v1.VersionInfo;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/flock models list|versions|promote|rollback|train}: the registry as an operator sees it, over the
 * coordinator's Admin gRPC service. Errors from the coordinator print as one line and exit 2.
 */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List, promote and roll back model versions; trigger rounds.",
        subcommands = {ModelsCli.ListCommand.class, ModelsCli.VersionsCommand.class, ModelsCli.PromoteCommand.class,
            ModelsCli.RollbackCommand.class, ModelsCli.TrainCommand.class, ModelCardCommand.class})
public final class ModelsCli {
    @Mixin
    AdminChannel admin = new AdminChannel();

    PrintStream out = System.out;

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code */
    public static int run(String... args) {
        return Launcher.execute(new ModelsCli(), args);
    }

    <T> T call(Function<AdminGrpc.AdminBlockingStub, T> rpc) throws InterruptedException {
        return admin.call(rpc);
    }

    void print(VersionInfo v) {
        String variants = v.getVariantsList().stream().map(ModelsCli::variant).collect(Collectors.joining(" "));
        out.printf(Locale.ROOT, "%-8d %-11s %-9s %-8s %-10s %-24s %s%n", v.getVersion(), v.getStage().name().toLowerCase(Locale.ROOT),
                Double.isNaN(v.getAccuracy()) ? "-" : String.format(Locale.ROOT, "%.4f", v.getAccuracy()),
                v.getRound() == 0 ? "-" : Long.toString(v.getRound()), v.hasPrivacy() ? String.format(Locale.ROOT, "%.3f", v.getPrivacy().getEpsilon())
                        : "-", Instant.ofEpochMilli(v.getCreatedUnixMs()), variants);
    }

    private static String variant(VariantInfo a) {
        return a.getCodec() + (a.getPushed() ? "*" : "") + ":" + a.getSizeBytes() + "B:" + a.getSha256().substring(0, 12);
    }

    void header() {
        out.printf("%-8s %-11s %-9s %-8s %-10s %-24s %s%n", "version", "stage", "accuracy", "round", "epsilon", "created",
                "variants (* = pushed)");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The models the coordinator holds.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        ModelsCli parent;

        @Override
        public Integer call() throws Exception {
            var models = parent.call(s -> s.listModels(ListModelsRequest.getDefaultInstance()));
            parent.out.printf("%-24s %-28s %-11s %-7s %s%n", "model", "spec", "production", "latest", "versions");
            for (ModelSummary m : models.getModelsList()) {
                parent.out.printf("%-24s %-28s %-11d %-7d %d%n", m.getModel(), m.getSpec(), m.getProductionVersion(), m.getLatestVersion(),
                        m.getVersions());
                if (!m.getTrainingStatus().isEmpty()) {
                    parent.out.printf("  training: %s%n", m.getTrainingStatus());
                }
                if (m.hasPrivacy()) {
                    PrivacyCost p = m.getPrivacy();
                    parent.out.printf(Locale.ROOT, "  privacy: epsilon=%.3f at delta=%s after %d noised rounds (z=%s, C=%s)%s%n", p.getEpsilon(),
                            p.getDelta(), p.getRounds(), p.getNoiseMultiplier(), p.getClipNorm(), m.getMaxEpsilon() > 0
                                    ? String.format(Locale.ROOT, "; budget %.3f", m.getMaxEpsilon()) : "; no budget");
                }
            }
            return 0;
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "A model's versions, newest first.")
    static final class VersionsCommand implements Callable<Integer> {
        @ParentCommand
        ModelsCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        private static final int DEFAULT_LIMIT = 50;

        @Option(names = "--limit", description = "at most this many (default: 50)")
        int limit;

        @Override
        public Integer call() throws Exception {
            var versions = parent.call(s -> s.listVersions(ListVersionsRequest.newBuilder().setModel(model).setLimit(limit).build()));
            parent.header();
            versions.getVersionsList().forEach(parent::print);
            int shown = versions.getVersionsCount();
            if (shown == (limit > 0 ? limit : DEFAULT_LIMIT)) {
                System.out.println("(the newest " + shown + "; --limit N for more)");
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Move a version to a stage (default production: devices are sent it, serving answers with it).")
    static final class PromoteCommand implements Callable<Integer> {
        @ParentCommand
        ModelsCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Parameters(index = "1", description = "version")
        long version;

        @Option(names = "--stage", description = "candidate, canary, production or archived (default: production)")
        String stage = "production";

        @Override
        public Integer call() throws Exception {
            Stage s = parseStage(stage);
            VersionInfo v = parent.call(a -> a.promote(PromoteRequest.newBuilder().setModel(model).setVersion(version).setStage(s).build()));
            parent.header();
            parent.print(v);
            return 0;
        }

        private static Stage parseStage(String name) {
            try {
                Stage s = Stage.valueOf(name.toUpperCase(Locale.ROOT));
                if (s != Stage.STAGE_UNSPECIFIED && s != Stage.UNRECOGNIZED) {
                    return s;
                }
            } catch (IllegalArgumentException e) {
                // named below
            }
            throw new ConfigException("--stage must be candidate, canary, production or archived, got '" + name + "'");
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make an earlier version production again (default: the one before the current); devices load it.")
    static final class RollbackCommand implements Callable<Integer> {
        @ParentCommand
        ModelsCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Parameters(index = "1", arity = "0..1", description = "version (default: the previous production version)")
        long version;

        @Override
        public Integer call() throws Exception {
            VersionInfo v = parent.call(a -> a.rollback(RollbackRequest.newBuilder().setModel(model).setVersion(version).build()));
            parent.header();
            parent.print(v);
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Queue rounds on the coordinator's schedule (manual mode runs them in turn; interval mode starts one now).")
    static final class TrainCommand implements Callable<Integer> {
        @ParentCommand
        ModelsCli parent;

        @Parameters(index = "0", description = "model name")
        String model;

        @Option(names = "--rounds", description = "rounds to queue, 1..1000 (default: 1)")
        int rounds = 1;

        @Override
        public Integer call() throws Exception {
            var r = parent.call(a -> a.triggerRounds(TriggerRoundsRequest.newBuilder().setModel(model).setRounds(rounds).build()));
            parent.out.printf("%d rounds waiting to start%n", r.getQueued());
            return 0;
        }
    }
}
