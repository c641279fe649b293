package io.flock.coordinator.cli;

import io.flock.core.config.ConfigException;
import io.flock.proto.v1.ListVersionsRequest;
import io.flock.proto.v1.PrivacyCost;
import io.flock.proto.v1.VariantInfo;
import io.flock.proto.v1.VersionInfo;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bin/flock models card MODEL VERSION}: one version's model card, with what its training cost in privacy. */
@Command(name = "card", mixinStandardHelpOptions = true,
        description = "A version's model card: network, stage, scores, the round that made it, its artifacts and its privacy cost.")
final class ModelCardCommand implements Callable<Integer> {
    /** Versions searched for the one asked (newest first). */
    private static final int SEARCHED = 1000;

    @ParentCommand
    ModelsCli parent;

    @Parameters(index = "0", description = "model name")
    String model;

    @Parameters(index = "1", description = "version")
    long version;

    @Override
    public Integer call() throws Exception {
        VersionInfo v = parent.call(a -> a.listVersions(ListVersionsRequest.newBuilder().setModel(model).setLimit(SEARCHED).build()))
                .getVersionsList().stream().filter(x -> x.getVersion() == version).findFirst()
                .orElseThrow(() -> new ConfigException("model " + model + " has no version " + version + " among its newest " + SEARCHED));
        parent.out.printf(Locale.ROOT, "model:     %s version %d (%s)%n", v.getModel(), v.getVersion(), v.getStage().name().toLowerCase(Locale.ROOT));
        parent.out.printf(Locale.ROOT, "network:   %s%n", v.getSpec());
        parent.out.printf(Locale.ROOT, "created:   %s by %s%n", Instant.ofEpochMilli(v.getCreatedUnixMs()),
                v.getRound() == 0 ? "an operator (no round)" : "round " + v.getRound());
        parent.out.printf(Locale.ROOT, "held-out:  %s%n", Double.isNaN(v.getAccuracy()) ? "not scored"
                : String.format(Locale.ROOT, "accuracy %.4f, loss %.4f", v.getAccuracy(), v.getLoss()));
        for (VariantInfo a : v.getVariantsList()) {
            parent.out.printf(Locale.ROOT, "artifact:  %s%s %d bytes sha256 %s%n", a.getCodec(), a.getPushed() ? " (pushed)" : "", a.getSizeBytes(),
                    a.getSha256());
        }
        if (v.hasPrivacy()) {
            PrivacyCost p = v.getPrivacy();
            parent.out.printf(Locale.ROOT, "privacy:   (epsilon=%.4f, delta=%s)-DP after %d noised rounds, user level (Renyi DP accountant,"
                    + " subsampled Gaussian); this round: z=%s, C=%s, q=%.4f%n", p.getEpsilon(), p.getDelta(), p.getRounds(),
                    p.getNoiseMultiplier(), p.getClipNorm(), p.getSamplingRate());
        } else {
            parent.out.println("privacy:   trained without differential privacy");
        }
        return 0;
    }
}
