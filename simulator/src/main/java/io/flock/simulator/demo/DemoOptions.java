package io.flock.simulator.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the demo runs.
 *
 * @param devices             simulated devices, each a real agent; all train every round
 * @param rounds              federated rounds
 * @param predictionsPerAgent app predictions sent to each agent's local API with the cloud up
 * @param dataDir             Fashion-MNIST directory; null = system dataset or the bundled subset
 * @param workDir             scratch directory (database, device data and state)
 * @param outDir              where report.json and the plots go
 * @param seed                partition and selection seed
 * @param overrides           coordinator settings over the demo's (e.g. push.codec=fp32, model.spec=...)
 * @param cloudSpec           the heavier cloud model trained first by the same fleet, which answers the devices' offloads
 *                            (e.g. cnn:28x28-16-32-128-10); empty = none, the device model answers its own offloads
 * @param cloudRounds         federated rounds of the cloud model
 * @param distill             whether the device model also learns from the cloud model (distill.teacher), as a compact
 *                            student of it
 */
public record DemoOptions(int devices, int rounds, int predictionsPerAgent, Path dataDir, Path workDir, Path outDir, long seed,
                          Map<String, String> overrides, String cloudSpec, int cloudRounds, boolean distill) {
    /** The registry name of the cloud model. */
    public static final String CLOUD_MODEL = "fmnist-cloud";

    /** Options with no cloud model. */
    public DemoOptions(int devices, int rounds, int predictionsPerAgent, Path dataDir, Path workDir, Path outDir, long seed,
                       Map<String, String> overrides) {
        this(devices, rounds, predictionsPerAgent, dataDir, workDir, outDir, seed, overrides, "", 0, false);
    }

    /** @return whether a cloud model is trained and serves the offloads */
    public boolean hybrid() {
        return !cloudSpec.isEmpty() && cloudRounds > 0;
    }
}
