package io.flock.simulator.fleetops;

import io.flock.agent.EdgeAgent;
import io.flock.agent.offload.Answer;
import io.flock.core.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One telemetry window of serving: every given device answers its apps' predictions on inputs drawn from what it sees
 * (its own data, drifted once the drift is on), through its real local API path (local model, offload, fallback), and
 * reports the true label of a share of its answers later, as an app would. Devices run in parallel on a small pool.
 */
public final class ServingWindow {
    private ServingWindow() {
    }

    /**
     * What a window's answers came to.
     *
     * @param answers  predictions answered
     * @param correct  of those, answered with the true label (as the device sees it)
     * @param failed   predictions that got no answer
     * @param feedback true labels reported
     */
    public record Tally(long answers, long correct, long failed, long feedback) {
        /** @return the share of answers that were right; NaN without answers */
        public double accuracy() {
            return answers == 0 ? Double.NaN : correct / (double) answers;
        }
    }

    /**
     * @param agents   the serving devices
     * @param data     each device's data as it sees it, in the same order
     * @param answers  predictions per device
     * @param feedback share of answers whose true label is reported
     * @param seed     the window's draws
     */
    public static Tally serve(List<EdgeAgent> agents, List<DriftingData> data, int answers, double feedback, long seed, ExecutorService pool)
            throws InterruptedException {
        AtomicLong total = new AtomicLong();
        AtomicLong correct = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong reported = new AtomicLong();
        List<Future<?>> running = new ArrayList<>();
        for (int d = 0; d < agents.size(); d++) {
            EdgeAgent agent = agents.get(d);
            DriftingData seen = data.get(d);
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + d);
            running.add(pool.submit(() -> {
                float[] raw = new float[seen.featureCount()];
                for (int k = 0; k < answers; k++) {
                    int i = draw(seen, random);
                    seen.copyRawFeatures(i, raw, 0);
                    int truth = seen.label(i);
                    try {
                        Answer a = agent.router().answer(raw);
                        agent.metrics().latency().record(a.latencyMs()); // as the local API records what its apps wait
                        total.incrementAndGet();
                        correct.addAndGet(a.prediction().label() == truth ? 1 : 0);
                        if (!a.predictionId().isEmpty() && random.nextDouble() < feedback && agent.feedback(a.predictionId(), truth)) {
                            reported.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return new Tally(total.get(), correct.get(), failed.get(), reported.get());
    }

    /** @return a sample the device still sees (label shift narrows them), drawn uniformly */
    private static int draw(DriftingData seen, SplittableRandom random) {
        for (int tries = 0; tries < 10_000; tries++) {
            int i = random.nextInt(seen.size());
            if (seen.keeps(i)) {
                return i;
            }
        }
        throw new IllegalStateException("the device holds no sample of the classes it now sees");
    }

    /** @return a device's data as the drift shows it */
    public static DriftingData seen(Dataset data, DriftSpec drift, DriftSwitch on, int classes, long seed, boolean drifted) {
        return new DriftingData(data, drifted ? drift : null, on, classes, seed);
    }
}
