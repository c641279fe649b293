package io.flock.simulator.scenario;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.store.DriftRow;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.core.DaemonThreads;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.simulator.fleetops.Candidates;
import io.flock.simulator.fleetops.Concatenated;
import io.flock.simulator.fleetops.DriftRows;
import io.flock.simulator.fleetops.DriftSpec;
import io.flock.simulator.fleetops.DriftingData;
import io.flock.simulator.fleetops.FleetOpsSpec;
import io.flock.simulator.fleetops.RolloutWatch;
import io.flock.simulator.fleetops.ServingWindow;
import io.flock.simulator.fleetops.ShiftedAccuracy;
import io.flock.simulator.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * The fleetops workload: the scenario's training rounds, then serving windows. Each window every online device answers
 * its apps on what it sees and reports some true labels; at its window the drift turns on (the drift monitor should
 * alarm and retraining start) or a candidate is rolled out in stages (a good one should reach every device, a bad one
 * be rolled back). The {@code fleetops} report section holds each window, the alarms, the retraining and its accuracy
 * on the shifted data, and the rollout's course.
 */
final class FleetOpsRun {
    /** Held-out samples the accuracy on shifted data is measured on. */
    private static final int HELD_OUT = 2000;
    private final ScenarioRunner runner;
    private final PrintStream out;
    private final FleetOpsSpec ops;
    private final CoordinatorServer coordinator;

    private FleetOpsRun(ScenarioRunner runner, PrintStream out) {
        this.runner = runner;
        this.out = out;
        this.ops = runner.scenario().fleetOps();
        this.coordinator = runner.coordinator();
    }

    /**
     * @param parts each device's training data (what it serves from, as it sees it)
     * @param data  the dataset directory (its t10k files are the held-out data)
     * @return the report's {@code fleetops} section
     */
    static Map<String, Object> run(ScenarioRunner runner, RunReport report, List<ByteDataset> parts, Path data, PrintStream out) throws Exception {
        runner.runRounds(report);
        return new FleetOpsRun(runner, out).serve(parts, data);
    }

    private Map<String, Object> serve(List<ByteDataset> parts, Path data) throws Exception {
        ScenarioConfig s = runner.scenario();
        coordinator.startSchedule(0); // manual: only retraining triggers queue rounds
        DriftSpec drift = ops.drift();
        List<EdgeAgent> agents = runner.fleet().agents();
        List<DriftingData> seen = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            seen.add(ServingWindow.seen(parts.get(i), drift, runner.driftSwitch(), s.model().classes(), s.seed() * 1_000_003L + i,
                    runner.drifted(i)));
        }
        long drifted = IntStream.range(0, agents.size()).filter(runner::drifted).count();
        Dataset heldOut = heldOut(data);
        FeaturePipeline pipeline = FeaturePipeline.parse(s.pipeline());
        Map<String, Object> section = new LinkedHashMap<>();
        List<Map<String, Object>> windows = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2, DaemonThreads.named("flock-serving"));
        RolloutWatch watch = null;
        long windowMs = ops.window().toMillis();
        long t0 = System.currentTimeMillis();
        try {
            for (int w = 1; w <= ops.windows(); w++) {
                sleepUntil(t0 + (w - 1) * windowMs);
                long start = System.currentTimeMillis();
                if (drift != null && w == drift.atWindow()) {
                    ModelVersion v = coordinator.registry().requireCurrent(coordinator.config().model().name());
                    section.put("driftVersion", v.version());
                    section.put("accuracyBeforeDrift", ShiftedAccuracy.of(s.model(), pipeline, coordinator.registry().pushedParameters(v), heldOut,
                            null, s.seed()));
                    section.put("accuracyOnShiftedBeforeRetraining", ShiftedAccuracy.of(s.model(), pipeline,
                            coordinator.registry().pushedParameters(v), heldOut, drift, s.seed()));
                    runner.driftSwitch().on();
                    section.put("driftStartMs", runner.driftSwitch().sinceMs());
                    out.printf("window %d: %s drift on for %d of %d devices%n", w, drift.kind().yamlName(), drifted, agents.size());
                }
                if (ops.rollout() != null && w == ops.rollout().atWindow()) {
                    watch = startRollout(parts, pipeline, heldOut);
                }
                List<EdgeAgent> online = new ArrayList<>();
                List<DriftingData> views = new ArrayList<>();
                for (int i = 0; i < agents.size(); i++) {
                    if (agents.get(i).mqttConnected()) {
                        online.add(agents.get(i));
                        views.add(seen.get(i));
                    }
                }
                ServingWindow.Tally t = ServingWindow.serve(online, views, ops.answers(), ops.feedback(), s.seed() * 7919 + w, pool);
                windows.add(window(w, start, t, watch));
                out.printf("window %3d/%d  %5d answers  accuracy %.4f  production v%d  %s%s%n", w, ops.windows(), t.answers(), t.accuracy(),
                        production(), runner.driftSwitch().isOn() ? "drift on  " : "", watch == null ? "" : watch.line());
            }
            sleepUntil(t0 + (ops.windows() + 1) * windowMs); // the monitor judges the last window
            if (drift != null) {
                awaitRetraining();
                ModelVersion v = coordinator.registry().requireCurrent(coordinator.config().model().name());
                section.put("finalVersion", v.version());
                section.put("accuracyOnShiftedAfterRetraining", ShiftedAccuracy.of(s.model(), pipeline, coordinator.registry().pushedParameters(v),
                        heldOut, drift, s.seed()));
            }
        } finally {
            pool.shutdownNow();
            if (watch != null) {
                watch.close();
            }
        }
        section.put("devices", agents.size());
        section.put("driftedDevices", drifted);
        section.put("windows", windows);
        section.putAll(outcome(section, watch));
        return section;
    }

    private RolloutWatch startRollout(List<ByteDataset> parts, FeaturePipeline pipeline, Dataset heldOut) {
        ScenarioConfig s = runner.scenario();
        FleetOpsSpec.RolloutSpec r = ops.rollout();
        ModelVersion production = coordinator.registry().requireCurrent(coordinator.config().model().name());
        Dataset train = new Concatenated(parts);
        var params = Candidates.make(r.candidate().equals("good"), s.model(), pipeline, coordinator.registry().globalParameters(production),
                train, s.seed());
        ModelVersion candidate = coordinator.publishCandidate(params);
        double clean = ShiftedAccuracy.of(s.model(), pipeline, coordinator.registry().pushedParameters(candidate), heldOut, null, s.seed());
        out.printf("rollout: %s candidate version %d (held-out accuracy %.4f; production version %d) in stages %s %% with a soak of %s%n",
                r.candidate(), candidate.version(), clean, production.version(), r.stages(), r.soak());
        Rollout started = coordinator.rollouts().start(candidate.version(), r.stages(), r.soak(), Map.of(), "simulated " + r.candidate()
                + " candidate");
        return RolloutWatch.start(coordinator, runner.fleet().agents(), started, clean);
    }

    private Map<String, Object> window(int w, long start, ServingWindow.Tally t, RolloutWatch watch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", w);
        m.put("startMs", start);
        m.put("answers", t.answers());
        m.put("failed", t.failed());
        m.put("accuracy", t.accuracy());
        m.put("feedback", t.feedback());
        m.put("productionVersion", production());
        m.put("driftOn", runner.driftSwitch().isOn());
        if (watch != null) {
            m.putAll(watch.snapshot());
        }
        return m;
    }

    private long production() {
        return coordinator.registry().current(coordinator.config().model().name()).map(ModelVersion::version).orElse(0L);
    }

    /** Waits (up to 120 s) until triggered retraining and the rebuilt reference are done. */
    private void awaitRetraining() throws InterruptedException {
        var monitor = coordinator.drift().orElse(null);
        long deadline = System.currentTimeMillis() + 120_000;
        while (monitor != null && monitor.phase() != io.flock.coordinator.monitor.DriftMonitor.Phase.MONITORING
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
    }

    /** @return the alarms, detection delay, retraining and rollout figures */
    private Map<String, Object> outcome(Map<String, Object> section, RolloutWatch watch) {
        String model = coordinator.config().model().name();
        List<FleetEventRow> events = new ArrayList<>(coordinator.events().newest(model, 10_000));
        java.util.Collections.reverse(events);
        List<DriftRow> rows = coordinator.store().drift(model, 100_000);
        Map<String, Object> m = new LinkedHashMap<>();
        long driftStart = section.get("driftStartMs") instanceof Long l ? l : Long.MAX_VALUE;
        List<Long> windowEnds = rows.stream().map(DriftRow::windowEndMs).distinct().sorted().toList();
        List<DriftRow> alarms = rows.stream().filter(DriftRow::alarm).toList();
        m.put("monitorWindows", windowEnds.size());
        m.put("alarmsBeforeDrift", alarms.stream().filter(a -> a.windowEndMs() <= driftStart).map(DriftRows::describe).toList());
        DriftRow first = alarms.stream().filter(a -> a.windowEndMs() > driftStart).findFirst().orElse(null);
        if (ops.drift() != null) {
            m.put("detected", first != null);
            if (first != null) {
                m.put("firstAlarm", DriftRows.describe(first));
                m.put("windowsToDetect", windowEnds.stream().filter(e -> e > driftStart && e <= first.windowEndMs()).count());
                m.put("secondsToDetect", (first.windowEndMs() - driftStart) / 1000.0);
            }
            List<FleetEventRow> triggers = events.stream().filter(e -> e.kind().equals(FleetEvents.TRIGGER)).toList();
            m.put("triggers", triggers.stream().map(e -> Map.of("atMs", e.atMs(), "detail", e.detail())).toList());
            if (section.get("accuracyOnShiftedAfterRetraining") instanceof Double after
                    && section.get("accuracyOnShiftedBeforeRetraining") instanceof Double before) {
                m.put("recoveredPoints", 100 * (after - before));
            }
        }
        m.put("drift", DriftRows.series(rows));
        if (watch != null) {
            m.put("rollout", watch.outcome(events));
        }
        return m;
    }

    private Dataset heldOut(Path data) throws java.io.IOException {
        ByteDataset all = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        return all.subset(IntStream.range(all.size() - Math.min(HELD_OUT, all.size()), all.size()).toArray());
    }

    private static void sleepUntil(long ms) throws InterruptedException {
        long wait = ms - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
