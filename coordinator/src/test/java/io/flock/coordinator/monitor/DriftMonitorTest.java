package io.flock.coordinator.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.rollout.TestClock;
import io.flock.coordinator.store.DriftRow;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.InvalidInputException;
import io.flock.core.stats.DriftSketch;
import io.flock.proto.v1.DataStatistics;
import io.flock.proto.v1.ProjectionCounts;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift monitor on windows of real Fashion-MNIST answers: a stationary fleet over 30 windows raises nothing (five
 * seeds), and each injected drift (brightness, noise, rotation, a class mix, swapped labels, one cohort only) alarms
 * within two windows of its start.
 */
class DriftMonitorTest {
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final int DEVICES = 6;
    private static final int ANSWERS = 150;
    private static FleetData data;
    private static HeldOutReference reference;
    private static DriftSketch versionStatistics;
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private FleetEvents events;
    private final TestClock clock = new TestClock();
    private final List<DriftMonitor.Window> windows = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        data = new FleetData();
        reference = new HeldOutReference(data.heldOut, FleetData.SPEC, FleetData.PIPELINE);
        versionStatistics = reference.statistics(data.centroids);
    }

    @BeforeEach
    void open() {
        store = new JdbcFlockStore("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        events = new FleetEvents(store, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private DriftMonitor monitor() {
        MonitorConfig config = new MonitorConfig(WINDOW, 0.05, 0.2, 200, "hardware", 2, 30, 0.05, Duration.ofDays(1),
                new MonitorConfig.Retrain(true, Duration.ZERO, 0, 3, Duration.ofMinutes(10)));
        DriftMonitor m = new DriftMonitor("m", config, reference, v -> versionStatistics.copy(), () -> 1L,
                d -> Map.of("hardware", d.endsWith("0") || d.endsWith("1") ? "rpi4" : "jetson"), store, events,
                new FleetMetrics(new PrometheusRegistry(), "m", Optional::empty), clock);
        m.onWindow(windows::add);
        return m;
    }

    /** One window of every device; devices named in {@code drifted} see the drift. */
    private void window(DriftMonitor m, SplittableRandom random, FleetData.Drift drift, List<String> drifted) {
        for (int d = 0; d < DEVICES; d++) {
            String id = "dev" + d;
            DriftSketch s = data.window(reference.edges(), random, ANSWERS, drifted.contains(id) ? drift : FleetData.Drift.NONE);
            m.observe(new DeviceWindow(id, 1, clock.millis(), ANSWERS, 0, ANSWERS, 0, 1, s));
        }
        clock.advance(WINDOW);
        m.tick();
    }

    private static final List<String> ALL = List.of("dev0", "dev1", "dev2", "dev3", "dev4", "dev5");

    /** @return the index of the first window (from 0) with an alarm, -1 when none */
    private int firstAlarm() {
        for (int i = 0; i < windows.size(); i++) {
            if (!windows.get(i).alarms().isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    private int detect(FleetData.Drift drift, List<String> drifted, long seed) {
        DriftMonitor m = monitor();
        SplittableRandom random = new SplittableRandom(seed);
        for (int w = 0; w < 8; w++) {
            window(m, random, w < 4 ? FleetData.Drift.NONE : drift, drifted);
        }
        return firstAlarm();
    }

    @Test
    void aStationaryFleet_raisesNoAlarmIn30Windows() {
        for (long seed = 0; seed < 5; seed++) {
            windows.clear();
            DriftMonitor m = monitor();
            SplittableRandom random = new SplittableRandom(seed);
            for (int w = 0; w < 30; w++) {
                window(m, random, FleetData.Drift.NONE, List.of());
            }
            assertThat(windows).hasSize(30);
            assertThat(firstAlarm()).as("seed " + seed + ": " + windows.stream().flatMap(x -> x.alarms().stream()).toList()).isEqualTo(-1);
        }
        List<DriftRow> rows = store.drift("m", 10_000);
        assertThat(rows).isNotEmpty().noneMatch(DriftRow::alarm);
        assertThat(rows.stream().filter(r -> !r.statistic().equals("error-rate")).mapToDouble(DriftRow::value).max().orElseThrow())
                .as("largest PSI of a stationary window (0.118 measured): well under the 0.2 that alarms").isLessThan(0.15);
    }

    @Test
    void brightness_alarmsWithinTwoWindows() {
        assertThat(detect(new FleetData.Drift(v -> v + 80, false, c -> true, c -> c), ALL, 1)).isBetween(4, 5);
        assertThat(events.newest("m", 10)).extracting(FleetEventRow::detail).anyMatch(d -> d.startsWith("covariate shift"));
    }

    @Test
    void noise_alarmsWithinTwoWindows() {
        SplittableRandom pixels = new SplittableRandom(7);
        assertThat(detect(new FleetData.Drift(v -> v + (int) (pixels.nextGaussian() * 60), false, c -> true, c -> c), ALL, 2))
                .isBetween(4, 5);
    }

    @Test
    void rotation_alarmsWithinTwoWindows() {
        assertThat(detect(new FleetData.Drift(v -> v, true, c -> true, c -> c), ALL, 3)).isBetween(4, 5);
    }

    @Test
    void aClassMixChange_isLabelShift() {
        assertThat(detect(new FleetData.Drift(v -> v, false, c -> c < 3, c -> c), ALL, 4)).isBetween(4, 5);
        assertThat(windows.get(firstAlarm()).alarms()).extracting(DriftRow::statistic).contains("label-mix");
    }

    @Test
    void swappedLabels_areConceptDrift_seenOnlyInTheErrorStream() {
        assertThat(detect(new FleetData.Drift(v -> v, false, c -> true, c -> (c + 1) % 10), ALL, 5)).isBetween(4, 5);
        assertThat(windows.get(firstAlarm()).alarms()).extracting(DriftRow::statistic).containsOnly("error-rate");
    }

    @Test
    void driftOnOneCohort_alarmsInThatCohort() {
        int first = detect(new FleetData.Drift(v -> v + 80, false, c -> true, c -> c), List.of("dev0", "dev1"), 6);
        assertThat(first).isBetween(4, 5);
        assertThat(windows.get(first).alarms()).extracting(DriftRow::cohort).contains("hardware=rpi4").doesNotContain("hardware=jetson");
    }

    @Test
    void duringRetraining_windowsAreStoredButRaiseNothing_andTheRebuiltReferenceAcceptsTheNewData() {
        DriftMonitor m = monitor();
        SplittableRandom random = new SplittableRandom(8);
        FleetData.Drift bright = new FleetData.Drift(v -> v + 80, false, c -> true, c -> c);
        window(m, random, bright, ALL);
        assertThat(windows.get(0).alarms()).isNotEmpty();
        m.retraining();
        window(m, random, bright, ALL);
        assertThat(windows.get(1).alarms()).isEmpty();
        m.rebaseline();
        window(m, random, bright, ALL);
        window(m, random, bright, ALL);
        assertThat(m.phase()).isEqualTo(DriftMonitor.Phase.MONITORING);
        assertThat(m.referenceSource()).contains("fleet windows");
        for (int w = 0; w < 5; w++) {
            window(m, random, bright, ALL);
        }
        assertThat(windows.subList(2, windows.size())).allMatch(w -> w.alarms().isEmpty());
    }

    @Test
    void afterARetrainingOnPartDriftedData_eachCohortIsJudgedAgainstItsOwnWindows() {
        DriftMonitor m = monitor();
        SplittableRandom random = new SplittableRandom(10);
        FleetData.Drift bright = new FleetData.Drift(v -> v + 80, false, c -> true, c -> c);
        List<String> kiosks = List.of("dev0", "dev1");
        window(m, random, bright, kiosks);
        assertThat(windows.get(0).alarms()).extracting(DriftRow::cohort).contains("hardware=rpi4");
        m.retraining();
        m.rebaseline();
        window(m, random, bright, kiosks);
        window(m, random, bright, kiosks);
        assertThat(m.phase()).isEqualTo(DriftMonitor.Phase.MONITORING);
        for (int w = 0; w < 6; w++) {
            window(m, random, bright, kiosks);
        }
        // against the part-drifted fleet's reference, the steady cohort would differ by the drifted share
        assertThat(windows.subList(1, windows.size())).allMatch(w -> w.alarms().isEmpty());
        assertThat(events.newest("m", 1).get(0).detail()).doesNotContain("alarm");
    }

    @Test
    void statisticsOutsideTheBins_areRefused() {
        DriftMonitor m = monitor();
        DataStatistics good = statistics(data.window(reference.edges(), new SplittableRandom(9), 50, FleetData.Drift.NONE));
        assertThat(m.parse(good, 10).count()).isEqualTo(50);
        DataStatistics.Builder wrongBins = good.toBuilder();
        wrongBins.setProjections(0, ProjectionCounts.newBuilder().setName("mean").addCounts(50));
        assertThatThrownBy(() -> m.parse(wrongBins.build(), 10)).isInstanceOf(InvalidInputException.class).hasMessageContaining("has 1 bins");
        DataStatistics.Builder negative = good.toBuilder();
        negative.setConfidenceCounts(0, -1);
        assertThatThrownBy(() -> m.parse(negative.build(), 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> m.parse(good.toBuilder().setMeanConfidence(Double.NaN).build(), 10)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("mean_confidence");
        assertThatThrownBy(() -> m.parse(good.toBuilder().setConfidenceSum(Double.NaN).build(), 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> m.parse(good, 9)).isInstanceOf(InvalidInputException.class).hasMessageContaining("9");
        assertThatThrownBy(() -> m.parse(good.toBuilder().setProjections(1, good.getProjections(1).toBuilder().setName("x")).build(), 10))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> m.parse(good.toBuilder().setFeedbackErrors(good.getFeedbackCount() + 1).build(), 10))
                .isInstanceOf(InvalidInputException.class);
    }

    static DataStatistics statistics(DriftSketch s) {
        DataStatistics.Builder b = DataStatistics.newBuilder().setSampleCount(s.count()).setConfidenceSum(s.confidenceSum())
                .setMeanConfidence(s.meanConfidence()).setFeedbackCount(s.feedbackCount()).setFeedbackErrors(s.feedbackErrors());
        long[][] counts = s.projectionCounts();
        for (int p = 0; p < counts.length; p++) {
            ProjectionCounts.Builder c = ProjectionCounts.newBuilder().setName(io.flock.core.stats.InputProjections.NAMES.get(p));
            for (long n : counts[p]) {
                c.addCounts(n);
            }
            b.addProjections(c);
        }
        for (long n : s.labelCounts()) {
            b.addPredictedLabelCounts(n);
        }
        for (long n : s.confidenceCounts()) {
            b.addConfidenceCounts(n);
        }
        return b.build();
    }
}
