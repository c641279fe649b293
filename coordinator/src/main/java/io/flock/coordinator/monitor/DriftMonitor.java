package io.flock.coordinator.monitor;

import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.store.DriftRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.DaemonThreads;
import io.flock.core.InvalidInputException;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DdmDetector;
import io.flock.core.stats.DriftSketch;
import io.flock.core.stats.InputProjections;
import io.flock.proto.v1.DataStatistics;
import io.flock.proto.v1.DriftBins;
import io.flock.proto.v1.ProjectionBins;
import io.flock.proto.v1.ProjectionCounts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one model's fleet for drift. Devices count their answers in the bins this monitor announces; each telemetry
 * window it sums their reports for the fleet and for each cohort (the values of one device label), and compares the
 * sums with the reference ({@link DriftJudge}): covariate shift on the input projections (from every device), label
 * shift on the predicted-label mix and a confidence drop (from devices running the production version, whose answers
 * the reference describes), and concept drift on the feedback error stream with a DDM per cohort. Every window's
 * statistics are stored; alarms are logged and stored as fleet events and handed to the retraining triggers.
 *
 * <p>The reference starts as the held-out set's statistics (its label and confidence parts recomputed for each new
 * production version, at most once a window). After a retraining on drifted data it is rebuilt from the fleet's own
 * windows under the retrained version ({@link #rebaseline()}): that is the data the new version was trained on. Each
 * cohort then gets its own reference from its own windows (a cohort the drift never touched, judged against a fleet
 * that is part drifted, would alarm on the difference: seen in fmnist-drift-partial), the fleet's from the fleet's. While
 * retraining runs, windows are judged and stored but raise no alarm. Thread-safe.
 */
public final class DriftMonitor implements AutoCloseable {
    /** The cohort that holds every device. */
    public static final String FLEET = "fleet";
    /** Standard errors a window's error rate must exceed the stream's by for a concept-drift alarm (one-sided 3e-5). */
    static final double ERROR_Z = 4;
    private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);
    private final String model;
    private final MonitorConfig config;
    private final HeldOutReference heldOut;
    private final LongFunction<DriftSketch> versionStatistics;
    private final LongSupplier production;
    private final Function<String, Map<String, String>> labels;
    private final FlockStore store;
    private final FleetEvents events;
    private final FleetMetrics metrics;
    private final Clock clock;
    private final DriftBins bins;
    private Consumer<Window> listener = w -> { };
    private DriftSketch reference;
    private long referenceVersion;
    private String referenceSource = "held-out";
    private Phase phase = Phase.MONITORING;
    /** Per cohort, the reference rebuilt from its own windows after a drift retraining; empty while the held-out one serves. */
    private final Map<String, DriftSketch> cohortReferences = new TreeMap<>();
    private final Map<String, DriftSketch> baseline = new TreeMap<>();
    private int baselineWindows;
    private long windowStartMs;
    private final Map<String, DriftSketch> inputs = new TreeMap<>();
    private final Map<String, DriftSketch> answers = new TreeMap<>();
    private final Map<String, DdmDetector> errorStreams = new HashMap<>();
    private final ScheduledExecutorService ticker;

    /** What the monitor is doing. */
    public enum Phase {
        /** Judging windows and raising alarms. */
        MONITORING,
        /** Retraining runs: windows are judged and stored, alarms are held. */
        RETRAINING,
        /** Collecting the fleet's windows under the retrained version as the new reference. */
        BASELINING
    }

    /**
     * One judged window, as the retraining triggers see it.
     *
     * @param endMs          when it closed, Unix ms
     * @param alarms         the statistics that alarmed, with their cohorts
     * @param feedback       feedback labels the fleet reported in it (production version)
     * @param feedbackErrors of those, wrong answers
     */
    public record Window(long endMs, List<DriftRow> alarms, long feedback, long feedbackErrors) {
    }

    /**
     * @param heldOut           the held-out reference (bins and the statistics of a version's answers)
     * @param versionStatistics the held-out statistics of a production version's device parameters
     * @param production        the production version now
     * @param labels            a device's labels
     */
    public DriftMonitor(String model, MonitorConfig config, HeldOutReference heldOut, LongFunction<DriftSketch> versionStatistics,
                        LongSupplier production, Function<String, Map<String, String>> labels, FlockStore store, FleetEvents events,
                        FleetMetrics metrics, Clock clock) {
        this.model = model;
        this.config = config;
        this.heldOut = heldOut;
        this.versionStatistics = versionStatistics;
        this.production = production;
        this.labels = labels;
        this.store = store;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.windowStartMs = clock.millis();
        this.ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-drift-" + model));
        DriftBins.Builder b = DriftBins.newBuilder().setClasses(0);
        for (int p = 0; p < heldOut.edges().size(); p++) {
            ProjectionBins.Builder pb = ProjectionBins.newBuilder().setName(InputProjections.NAMES.get(p));
            for (double c : heldOut.edges().get(p).cuts()) {
                pb.addCuts(c);
            }
            b.addProjections(pb);
        }
        this.bins = b.build();
    }

    /** Starts judging a window each monitor.window. */
    public DriftMonitor start() {
        long every = Math.max(50, Math.min(1000, config.window().toMillis() / 4));
        ticker.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                log.warn("model={} drift window not judged: {}", model, e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    /** Sets who is told of each judged window (the retraining triggers). */
    public synchronized void onWindow(Consumer<Window> l) {
        this.listener = l;
    }

    /**
     * @param classes the model's classes
     * @return the bins devices count in, announced with the model
     */
    public DriftBins bins(int classes) {
        return bins.toBuilder().setClasses(classes).setReferenceVersion(production.getAsLong()).build();
    }

    /**
     * Turns a device's reported statistics into counts, checked against the announced bins: the projections by name
     * and bin count, the classes, the confidence bins, and every count (no negative or non-finite value, sums that agree).
     *
     * @throws InvalidInputException naming what does not fit
     */
    public DriftSketch parse(DataStatistics s, int classes) {
        List<BinEdges> edges = heldOut.edges();
        if (s.getProjectionsCount() != edges.size()) {
            throw new InvalidInputException("statistics carry " + s.getProjectionsCount() + " projections; the announced bins have "
                    + edges.size());
        }
        long[][] projections = new long[edges.size()][];
        for (int p = 0; p < edges.size(); p++) {
            ProjectionCounts c = s.getProjections(p);
            if (!c.getName().equals(InputProjections.NAMES.get(p))) {
                throw new InvalidInputException("projection " + p + " is '" + c.getName() + "'; the announced bins name '"
                        + InputProjections.NAMES.get(p) + "'");
            }
            if (c.getCountsCount() != edges.get(p).bins()) {
                throw new InvalidInputException("projection '" + c.getName() + "' has " + c.getCountsCount() + " bins; the announced bins have "
                        + edges.get(p).bins());
            }
            projections[p] = c.getCountsList().stream().mapToLong(Long::longValue).toArray();
        }
        if (s.getPredictedLabelCountsCount() != classes) {
            throw new InvalidInputException("predicted_label_counts has " + s.getPredictedLabelCountsCount() + " classes; the model has " + classes);
        }
        if (s.getConfidenceCountsCount() != DriftSketch.CONFIDENCE_BINS) {
            throw new InvalidInputException("confidence_counts has " + s.getConfidenceCountsCount() + " bins; it must have "
                    + DriftSketch.CONFIDENCE_BINS);
        }
        if (!Double.isFinite(s.getMeanConfidence())) {
            throw new InvalidInputException("mean_confidence must be finite, got " + s.getMeanConfidence());
        }
        return DriftSketch.of(edges, classes, projections, s.getPredictedLabelCountsList().stream().mapToLong(Long::longValue).toArray(),
                s.getConfidenceCountsList().stream().mapToLong(Long::longValue).toArray(), s.getSampleCount(), s.getConfidenceSum(),
                s.getFeedbackCount(), s.getFeedbackErrors());
    }

    /** Adds a device's window to the current telemetry window, for the fleet and the device's cohort. */
    public synchronized void observe(DeviceWindow w) {
        if (w.statistics() == null) {
            return;
        }
        boolean current = w.runningVersion() == production.getAsLong();
        for (String cohort : cohorts(w.deviceId())) {
            inputs.computeIfAbsent(cohort, c -> empty(w.statistics())).merge(w.statistics());
            if (current) {
                answers.computeIfAbsent(cohort, c -> empty(w.statistics())).merge(w.statistics());
            }
        }
    }

    private List<String> cohorts(String deviceId) {
        List<String> out = new ArrayList<>(2);
        out.add(FLEET);
        if (!config.cohortLabel().isEmpty()) {
            String v = labels.apply(deviceId).get(config.cohortLabel());
            if (v != null) {
                out.add(config.cohortLabel() + "=" + v);
            }
        }
        return out;
    }

    private static DriftSketch empty(DriftSketch like) {
        return new DriftSketch(like.edges(), like.classes());
    }

    /** Holds alarms while triggered retraining runs. */
    public synchronized void retraining() {
        phase = Phase.RETRAINING;
    }

    /** Rebuilds the reference from the next windows of the fleet under the production version (after a drift retraining). */
    public synchronized void rebaseline() {
        phase = Phase.BASELINING;
        baseline.clear();
        baselineWindows = 0;
        events.record(model, FleetEvents.DRIFT, "rebuilding the drift reference from the next " + config.baselineWindows()
                + " windows of the fleet under version " + production.getAsLong() + " (the data it was retrained on)");
    }

    /** @return what the monitor is doing */
    public synchronized Phase phase() {
        return phase;
    }

    /** Judges the window when it has passed; called by the coordinator's fleet timer, and by tests. */
    public void tick() {
        long version = production.getAsLong();
        DriftSketch fresh = null;
        synchronized (this) {
            if (clock.millis() - windowStartMs < config.window().toMillis()) {
                return;
            }
        }
        if (version > 0 && needsReference(version)) {
            fresh = versionStatistics.apply(version); // a forward pass over the held-out set: not under the lock reports wait on
        }
        Window judged;
        Consumer<Window> l;
        synchronized (this) {
            long now = clock.millis();
            if (fresh != null) {
                reference = fresh;
                referenceVersion = version;
            }
            judged = judge(now);
            windowStartMs = now;
            inputs.clear();
            answers.clear();
            l = listener;
        }
        if (judged != null) {
            l.accept(judged);
        }
    }

    /** @return whether the reference must be made for this production version first (held-out references follow it) */
    private synchronized boolean needsReference(long version) {
        return phase != Phase.BASELINING && (reference == null || referenceVersion != version && referenceSource.equals("held-out"));
    }

    private Window judge(long now) {
        long version = production.getAsLong();
        DriftSketch fleetAnswers = answers.get(FLEET);
        if (phase == Phase.BASELINING) {
            if (fleetAnswers != null && fleetAnswers.count() > 0) {
                answers.forEach((cohort, sketch) -> baseline.computeIfAbsent(cohort, c -> empty(sketch)).merge(sketch));
                baselineWindows++;
            }
            DriftSketch fleet = baseline.get(FLEET);
            if (baselineWindows >= config.baselineWindows() && fleet != null && fleet.count() >= config.minSamples()) {
                reference = fleet;
                referenceVersion = version;
                referenceSource = "fleet windows under version " + version;
                cohortReferences.clear();
                baseline.forEach((cohort, sketch) -> {
                    if (sketch.count() >= config.minSamples()) {
                        cohortReferences.put(cohort, sketch);
                    }
                });
                phase = Phase.MONITORING;
                errorStreams.clear();
                events.record(model, FleetEvents.DRIFT, "drift reference rebuilt from " + baselineWindows + " fleet windows ("
                        + fleet.count() + " answers) under version " + version + ", for the fleet and " + (cohortReferences.size() - 1)
                        + " cohorts each from its own answers; monitoring resumes");
            }
            return null;
        }
        if (reference == null) {
            return null; // the reference could not be made (no production version yet)
        }
        int cohorts = Math.max(1, inputs.size());
        double perTest = config.alpha() / (DriftJudge.tests() * cohorts);
        List<DriftRow> rows = new ArrayList<>();
        List<DriftRow> alarms = new ArrayList<>();
        for (Map.Entry<String, DriftSketch> e : inputs.entrySet()) {
            String cohort = e.getKey();
            DriftSketch answered = answers.get(cohort);
            DriftSketch reference = cohortReferences.getOrDefault(cohort, this.reference);
            Map<String, DriftJudge.Result> byAnswers = new HashMap<>();
            if (answered != null && answered.count() > 0) {
                DriftJudge.judge(reference, answered, perTest, config.psi(), config.minSamples()).forEach(x -> byAnswers.put(x.statistic(), x));
            }
            for (DriftJudge.Result judged : DriftJudge.judge(reference, e.getValue(), perTest, config.psi(), config.minSamples())) {
                boolean modelStatistic = judged.statistic().equals(DriftJudge.LABEL_MIX) || judged.statistic().equals(DriftJudge.CONFIDENCE);
                DriftJudge.Result r = modelStatistic ? byAnswers.get(judged.statistic()) : judged;
                if (r == null) {
                    continue; // no device of the cohort ran the production version: its answers describe another model
                }
                DriftRow row = new DriftRow(model, now, cohort, r.statistic(), r.psi(), r.pValue(), r.samples(), r.alarm());
                rows.add(row);
                if (r.alarm()) {
                    alarms.add(row);
                }
            }
            if (answered != null && answered.feedbackCount() > 0) {
                rows.add(errorStream(cohort, answered, now));
                if (rows.get(rows.size() - 1).alarm()) {
                    alarms.add(rows.get(rows.size() - 1));
                }
            }
        }
        store.saveDrift(rows);
        for (DriftRow r : rows) {
            metrics.drift(model, r.statistic(), r.cohort(), r.value(), r.alarm() && phase == Phase.MONITORING);
        }
        if (phase == Phase.MONITORING && !alarms.isEmpty()) {
            for (DriftRow a : alarms) {
                events.record(model, FleetEvents.DRIFT, describe(a));
            }
        }
        if (!rows.isEmpty()) {
            log.debug("model={} drift window: {} statistics, {} alarms, phase {}", model, rows.size(), alarms.size(), phase);
        }
        DriftSketch fa = fleetAnswers;
        return new Window(now, phase == Phase.MONITORING ? alarms : List.of(), fa == null ? 0 : fa.feedbackCount(),
                fa == null ? 0 : fa.feedbackErrors());
    }

    /**
     * Feeds the cohort's feedback errors to its DDM. An alarm needs the DDM's drift and the window's own error rate over
     * the stream's rate before it by at least monitor.min-error-increase and by {@link #ERROR_Z} standard errors of the
     * window (DDM alone false-alarms on stationary streams: see {@link MonitorConfig}).
     */
    private DriftRow errorStream(String cohort, DriftSketch answered, long now) {
        DdmDetector ddm = errorStreams.computeIfAbsent(cohort, c -> new DdmDetector(config.minFeedback()));
        double before = ddm.errorRate();
        DdmDetector.State s = ddm.update(answered.feedbackErrors(), answered.feedbackCount());
        long n = answered.feedbackCount();
        double rate = answered.feedbackErrors() / (double) n;
        double standardError = Double.isNaN(before) ? 0 : Math.sqrt(before * (1 - before) / n);
        boolean alarm = s == DdmDetector.State.DRIFT && !Double.isNaN(before)
                && rate - before >= Math.max(config.minErrorIncrease(), ERROR_Z * standardError);
        return new DriftRow(model, now, cohort, DriftJudge.ERROR_RATE, ddm.level(), rate, answered.feedbackCount(), alarm);
    }

    private String describe(DriftRow a) {
        String kind = a.statistic().equals(DriftJudge.ERROR_RATE) ? "concept drift (feedback error stream, DDM)"
                : a.statistic().equals(DriftJudge.LABEL_MIX) ? "label shift (predicted-label mix)"
                : a.statistic().equals(DriftJudge.CONFIDENCE) ? "confidence drop" : "covariate shift (projection '" + a.statistic() + "')";
        return kind + " in cohort " + a.cohort() + ": " + (a.statistic().equals(DriftJudge.ERROR_RATE)
                ? String.format("window error rate %.3f, DDM level %.1f (limit 3)", a.pValue(), a.value())
                : String.format("PSI %.3f (limit %.2f), p %.2e", a.value(), config.psi(), a.pValue())) + ", " + a.samples()
                + " answers, against the reference from " + referenceSource;
    }

    /** @return the newest stored drift rows, oldest first */
    public List<DriftRow> history(int limit) {
        return store.drift(model, limit);
    }

    /** @return where the reference comes from now */
    public synchronized String referenceSource() {
        return referenceSource;
    }

    /** @return the current reference's statistics (null before the first window) */
    public synchronized Optional<DriftSketch> reference() {
        return Optional.ofNullable(reference);
    }
}
