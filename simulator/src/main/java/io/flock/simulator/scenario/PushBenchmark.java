package io.flock.simulator.scenario;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.simulator.fleet.LocalFleet;
import io.flock.simulator.report.Megabytes;
import io.flock.simulator.report.Plots;
import io.flock.simulator.report.SampleStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * W4: pushes new model versions to every online agent and times each until all have verified and
 * loaded it; counts the bytes the devices received and compares the artifact with fp32. The first
 * {@link #WARMUP_PUSHES} pushes warm the JVM (their code paths are compiled while they run) and are
 * reported apart; the scenario's {@code rounds} pushes after them are timed, and their median is the
 * result.
 */
final class PushBenchmark {
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(120);
    /**
     * Untimed pushes first. The first push after start-up runs on code the JIT has not compiled yet
     * (on push-1k here: 5.2-6.9 s), the second is still compiling, from the third on a push settles
     * (eight in a row: 5.19, 4.71, then 3.52-4.29 s). A coordinator and its devices run for days.
     */
    private static final int WARMUP_PUSHES = 2;

    private PushBenchmark() {
    }

    static Map<String, Object> run(ScenarioRunner runner, PrintStream out) throws InterruptedException {
        CoordinatorServer c = runner.coordinator();
        ModelVersion current = c.registry().requireCurrent(c.config().model().name());
        List<EdgeAgent> online = runner.onlineAgents();
        // agents that joined after the current version was published fetch it as they start: let
        // that finish, so the timing and the byte count are the new versions' alone
        double settled = LocalFleet.awaitVersion(online, current.version(), PUSH_TIMEOUT);
        out.printf("push: %d agents run version %d (waited %.1f s)%n", online.size(), current.version(), settled);
        int timed = Math.max(1, runner.scenario().rounds());
        List<Map<String, Object>> warmup = new ArrayList<>();
        List<Map<String, Object>> pushes = new ArrayList<>();
        double[] seconds = new double[timed];
        for (int i = 0; i < WARMUP_PUSHES + timed; i++) {
            boolean warming = i < WARMUP_PUSHES;
            String label = warming ? "warm-up push " + (i + 1) + "/" + WARMUP_PUSHES : "push " + (i - WARMUP_PUSHES + 1) + "/" + timed;
            Map<String, Object> one = pushOnce(runner, online, label, runner.scenario().seed() + i, out);
            if (warming) {
                warmup.add(one);
            } else {
                pushes.add(one);
                seconds[i - WARMUP_PUSHES] = (double) one.get("seconds");
            }
        }
        SampleStats time = SampleStats.of(seconds);
        Map<String, Object> last = pushes.get(pushes.size() - 1);
        out.printf("push: median %.2f s (min %.2f, max %.2f) over %d timed pushes to %d agents; artifact %d B %s, %.2fx smaller than fp32%n",
                time.median(), time.min(), time.max(), timed, online.size(), last.get("artifactBytes"), last.get("codec"),
                last.get("compressionRatio"));
        Map<String, Object> result = Simulation.map("agents", online.size(), "seconds", time.median(), "secondsMin", time.min(),
                "secondsMax", time.max(), "timedPushes", timed);
        result.putAll(Simulation.map("artifactBytes", last.get("artifactBytes"), "codec", last.get("codec"), "fp32Bytes", last.get("fp32Bytes"),
                "compressionRatio", last.get("compressionRatio"), "bytesDown", last.get("bytesDown"), "warmup", warmup, "pushes", pushes));
        return result;
    }

    /** Writes {@code push-time.png} from what {@link #run} returned: every push's seconds, warm-ups first. */
    @SuppressWarnings("unchecked")
    static void plot(Map<String, Object> result, Path dir, String name) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>((List<Map<String, Object>>) result.get("warmup"));
        all.addAll((List<Map<String, Object>>) result.get("pushes"));
        Plots.pushTimes(all.stream().mapToDouble(p -> (double) p.get("seconds")).toArray(),
                all.stream().mapToDouble(p -> (double) p.get("publishSeconds")).toArray(), WARMUP_PUSHES, dir,
                name + ": until all " + result.get("agents") + " agents loaded each version");
    }

    private static Map<String, Object> pushOnce(ScenarioRunner runner, List<EdgeAgent> online, String label, long seed, PrintStream out)
            throws InterruptedException {
        CoordinatorServer c = runner.coordinator();
        ModelVersion current = c.registry().requireCurrent(c.config().model().name());
        ModelParameters next = nudge(c.registry().globalParameters(current), seed);
        long down = runner.fleet().bytesDown();
        long start = System.nanoTime();
        ModelVersion v = c.publish(next);
        double published = (System.nanoTime() - start) / 1e9;
        LocalFleet.awaitVersion(online, v.version(), PUSH_TIMEOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = runner.fleet().bytesDown() - down;
        long fp32 = Codecs.FP32.encode(next).length;
        out.printf("push: %s: version %d reached %d agents (verified and loaded) in %.2f s (publish %.2f s); %.1f MB down; artifact %d B %s vs %d B fp32 (%.2fx)%n",
                label, v.version(), online.size(), seconds, published, Megabytes.of(bytes), v.manifest().sizeBytes(), v.manifest().codec(), fp32,
                (double) fp32 / v.manifest().sizeBytes());
        return Simulation.map("version", v.version(), "seconds", seconds, "publishSeconds", published, "bytesDown", bytes,
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
