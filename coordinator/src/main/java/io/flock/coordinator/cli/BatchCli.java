package io.flock.coordinator.cli;

import com.google.protobuf.ByteString;
import io.flock.core.config.ConfigException;
import io.flock.link.wire.SingleAnswer;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.InputSetHeader;
import io.flock.proto.v1.InputSetInfo;
import io.flock.proto.v1.InputSetPart;
import io.flock.proto.v1.ListInputSetsRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/flock batch register|list}: input sets for batch predictions, over the coordinator's Admin gRPC service.
 * A set is streamed in 1 MiB chunks (it may exceed gRPC's 4 MiB message limit); the coordinator checks it whole and
 * stores it, or stores nothing. Errors from the coordinator print as one line and exit 2.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, description = "Register and list input sets whose predictions are precomputed.",
        subcommands = {BatchCli.RegisterCommand.class, BatchCli.ListCommand.class})
public final class BatchCli {
    private static final int CHUNK = 1 << 20;

    @Mixin
    AdminChannel admin = new AdminChannel();

    PrintStream out = System.out;

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit code */
    public static int run(String... args) {
        return Launcher.execute(new BatchCli(), args);
    }

    void print(InputSetInfo s) {
        out.printf(Locale.ROOT, "%-24s %-20s %-6s %8d %8d  %-16s %s%n", s.getName(), s.getModel(), s.getFormat(), s.getRows(),
                s.getFeatures(), s.getSha256().substring(0, Math.min(12, s.getSha256().length())),
                s.getComputedModel().isEmpty() ? "not computed yet" : s.getComputedModel() + " v" + s.getComputedVersion() + " for device v"
                        + s.getDeviceVersion() + " at " + Instant.ofEpochMilli(s.getComputedUnixMs()));
    }

    void header() {
        out.printf("%-24s %-20s %-6s %8s %8s  %-16s %s%n", "set", "model", "format", "rows", "features", "sha256", "predictions");
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register (or replace) an input set: CSV rows of raw feature values, or an IDX file (gzipped or not).")
    static final class RegisterCommand implements Callable<Integer> {
        @ParentCommand
        BatchCli parent;

        @Parameters(index = "0", description = "set name: 1-128 of A-Z a-z 0-9 . _ -")
        String name;

        @Option(names = "--model", required = true, description = "the model the set is for")
        String model;

        @Option(names = "--file", required = true, description = "the inputs: *.csv[.gz] or an IDX file (*idx*, *ubyte*)")
        Path file;

        @Option(names = "--format", description = "csv or idx (default: from the file name)")
        String format;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("--file " + file + " is not a file");
            }
            String f = format != null ? format : formatOf(file);
            long size = Files.size(file);
            ManagedChannel channel = parent.admin.open();
            try {
                SingleAnswer<InputSetInfo> answer = new SingleAnswer<>("the coordinator ended the call without an answer");
                CompletableFuture<InputSetInfo> result = answer.future();
                StreamObserver<InputSetPart> request = AdminGrpc.newStub(channel).withDeadlineAfter(300, TimeUnit.SECONDS)
                        .registerInputSet(answer);
                request.onNext(InputSetPart.newBuilder().setHeader(InputSetHeader.newBuilder().setName(name).setModel(model).setFormat(f)
                        .setSizeBytes(size)).build());
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buf = new byte[CHUNK];
                    int n;
                    while (!result.isDone() && (n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                        request.onNext(InputSetPart.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
                    }
                }
                request.onCompleted();
                InputSetInfo info;
                try {
                    info = result.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
                parent.header();
                parent.print(info);
                return 0;
            } finally {
                AdminChannel.close(channel);
            }
        }

        private static String formatOf(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
                return "csv";
            }
            if (n.contains("idx") || n.contains("ubyte")) {
                return "idx";
            }
            throw new ConfigException("--format is needed: " + file.getFileName() + " is neither *.csv[.gz] nor an IDX name");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The registered input sets and what computed their predictions.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        BatchCli parent;

        @Override
        public Integer call() throws Exception {
            ManagedChannel channel = parent.admin.open();
            try {
                var sets = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listInputSets(ListInputSetsRequest.getDefaultInstance());
                parent.header();
                sets.getSetsList().forEach(parent::print);
                return 0;
            } finally {
                AdminChannel.close(channel);
            }
        }
    }
}
