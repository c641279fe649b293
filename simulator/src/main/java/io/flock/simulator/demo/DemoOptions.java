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
 */
public record DemoOptions(int devices, int rounds, int predictionsPerAgent, Path dataDir, Path workDir, Path outDir, long seed,
                          Map<String, String> overrides) {
}
