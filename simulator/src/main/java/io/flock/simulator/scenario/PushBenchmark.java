package io.flock.simulator.scenario;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.simulator.fleet.LocalFleet;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * W4: pushes one new model version to every online agent and times it until all have verified and
 * loaded it; counts the bytes the devices received and compares the artifact with fp32.
 */
final class PushBenchmark {
    private PushBenchmark() {
    }

    static Map<String, Object> run(ScenarioRunner runner, PrintStream out) throws InterruptedException {
        CoordinatorServer c = runner.coordinator();
        ModelVersion current = c.registry().requireCurrent(c.config().modelName());
        ModelParameters next = nudge(c.registry().globalParameters(current), runner.scenario().seed());
        List<EdgeAgent> online = runner.onlineAgents();
        // agents that joined after the current version was published fetch it as they start: let
        // that finish, so the timing and the byte count are the new version's alone
        double settled = LocalFleet.awaitVersion(online, current.version(), Duration.ofSeconds(120));
        out.printf("push: %d agents run version %d (waited %.1f s); publishing version %d%n", online.size(), current.version(),
                settled, current.version() + 1);
        long down = runner.fleet().bytesDown();
        long start = System.nanoTime();
        ModelVersion v = c.publish(next);
        double published = (System.nanoTime() - start) / 1e9;
        LocalFleet.awaitVersion(online, v.version(), Duration.ofSeconds(120));
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = runner.fleet().bytesDown() - down;
        long fp32 = Codecs.FP32.encode(next).length;
        out.printf("push: version %d reached %d agents (verified and loaded) in %.2f s (publish %.2f s); %.1f MB down; artifact %d B %s vs %d B fp32 (%.2fx)%n",
                v.version(), online.size(), seconds, published, bytes / 1e6, v.manifest().sizeBytes(), v.manifest().codec(), fp32,
                (double) fp32 / v.manifest().sizeBytes());
        return Simulation.map("agents", online.size(), "seconds", seconds, "publishSeconds", published, "bytesDown", bytes,
                "artifactBytes", v.manifest().sizeBytes(), "codec", v.manifest().codec(), "fp32Bytes", fp32,
                "compressionRatio", (double) fp32 / v.manifest().sizeBytes());
    }

    /** A slightly different model, so the push carries new bytes. */
    private static ModelParameters nudge(ModelParameters p, long seed) {
        Random r = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : p.tensors()) {
            float[] d = t.data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] += (float) (r.nextGaussian() * 1e-3);
            }
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        return new ModelParameters(out);
    }
}
