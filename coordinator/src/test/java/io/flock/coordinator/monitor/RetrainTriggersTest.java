package io.flock.coordinator.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.rollout.TestClock;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.store.DriftRow;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.coordinator.store.JdbcFlockStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retraining by drift, by performance and by time, with a cooldown; each trigger's reason stored. */
class RetrainTriggersTest {
    private static HeldOutReference reference;
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private FleetEvents events;
    private DriftMonitor monitor;
    private final TestClock clock = new TestClock();
    private final List<Integer> queued = new ArrayList<>();
    private boolean noSchedule;

    @BeforeAll
    static void load() throws Exception {
        FleetData data = new FleetData();
        reference = new HeldOutReference(data.heldOut, FleetData.SPEC, FleetData.PIPELINE);
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

    private RetrainTriggers triggers(MonitorConfig.Retrain retrain) {
        MonitorConfig config = new MonitorConfig(Duration.ofSeconds(10), 0.05, 0.2, 200, "", 2, 30, 0.05, Duration.ofDays(1), retrain);
        FleetMetrics metrics = new FleetMetrics(new PrometheusRegistry(), "m", Optional::empty);
        monitor = new DriftMonitor("m", config, reference, v -> null, () -> 1L, d -> Map.of(), store, events, metrics, clock);
        return new RetrainTriggers("m", retrain, events, metrics, clock, n -> {
            if (noSchedule) {
                throw new io.flock.coordinator.round.RoundClosedException("no_schedule", "this coordinator runs no training schedule");
            }
            queued.add(n);
            return n;
        }, monitor);
    }

    private static DriftMonitor.Window alarm() {
        return new DriftMonitor.Window(1, List.of(new DriftRow("m", 1, "fleet", "mean", 1.2, 1e-20, 500, true)), 0, 0);
    }

    private static RoundResult round(long r) {
        return new RoundResult(r, r, CompletableFuture.completedFuture(null), 1, 3, 3, 0, false, List.of());
    }

    private List<String> triggerEvents() {
        return store.fleetEvents("m", 50).stream().filter(e -> e.kind().equals(FleetEvents.TRIGGER)).map(FleetEventRow::detail).toList();
    }

    @Test
    void aDriftAlarm_queuesRounds_holdsAlarms_andRebaselinesAfterTheLastRound() {
        RetrainTriggers t = triggers(new MonitorConfig.Retrain(true, Duration.ZERO, 0, 3, Duration.ofMinutes(10)));
        t.window(alarm());
        assertThat(queued).containsExactly(3);
        assertThat(monitor.phase()).isEqualTo(DriftMonitor.Phase.RETRAINING);
        assertThat(triggerEvents()).singleElement().asString().startsWith("drift retraining: 3 rounds queued").contains("mean in fleet");
        t.window(alarm());
        assertThat(queued).as("no second trigger while its rounds run").hasSize(1);
        t.roundFinished(round(1));
        t.roundFinished(round(2));
        assertThat(monitor.phase()).isEqualTo(DriftMonitor.Phase.RETRAINING);
        t.roundFinished(round(3));
        assertThat(monitor.phase()).isEqualTo(DriftMonitor.Phase.BASELINING);
        clock.advance(Duration.ofMinutes(5));
        t.window(alarm());
        assertThat(queued).as("within the cooldown").hasSize(1);
        clock.advance(Duration.ofMinutes(6));
        t.window(alarm());
        assertThat(queued).hasSize(2);
    }

    @Test
    void lowAccuracyOnFeedback_triggersPerformanceRetraining() {
        RetrainTriggers t = triggers(new MonitorConfig.Retrain(false, Duration.ZERO, 0.8, 2, Duration.ZERO));
        t.window(new DriftMonitor.Window(1, List.of(), 100, 10));
        assertThat(queued).isEmpty();
        t.window(alarm());
        assertThat(queued).as("retrain.on-drift is off").isEmpty();
        t.window(new DriftMonitor.Window(2, List.of(), 100, 30));
        assertThat(queued).containsExactly(2);
        assertThat(triggerEvents()).singleElement().asString().startsWith("performance retraining").contains("0.7000");
        assertThat(t.lastReason()).isEqualTo("performance");
    }

    @Test
    void aSchedule_triggersWhenItsIntervalHasPassed() {
        RetrainTriggers t = triggers(new MonitorConfig.Retrain(false, Duration.ofHours(1), 0, 1, Duration.ZERO));
        t.window(new DriftMonitor.Window(1, List.of(), 0, 0));
        assertThat(queued).isEmpty();
        clock.advance(Duration.ofMinutes(61));
        t.window(new DriftMonitor.Window(2, List.of(), 0, 0));
        assertThat(queued).containsExactly(1);
        assertThat(triggerEvents()).singleElement().asString().startsWith("schedule retraining");
    }

    @Test
    void aTriggerWithoutATrainingSchedule_isStoredWithWhyNothingStarted() {
        RetrainTriggers t = triggers(new MonitorConfig.Retrain(true, Duration.ZERO, 0, 3, Duration.ZERO));
        noSchedule = true;
        t.window(alarm());
        assertThat(queued).isEmpty();
        assertThat(monitor.phase()).isEqualTo(DriftMonitor.Phase.MONITORING);
        assertThat(triggerEvents()).singleElement().asString().contains("but not started").contains("no training schedule");
    }

    @Test
    void badSettings_areRefusedNamingTheKey() {
        assertThatThrownBy(() -> new MonitorConfig.Retrain(true, Duration.ZERO, 1.5, 3, Duration.ZERO))
                .hasMessageContaining("retrain.min-accuracy");
        assertThatThrownBy(() -> new MonitorConfig.Retrain(true, Duration.ZERO, 0, 0, Duration.ZERO))
                .hasMessageContaining("retrain.rounds");
        assertThatThrownBy(() -> new MonitorConfig(Duration.ofMillis(10), 0.05, 0.2, 1, "", 1, 1, 0.05,
                Duration.ofDays(1), new MonitorConfig.Retrain(true, Duration.ZERO, 0, 3, Duration.ZERO))).hasMessageContaining("monitor.window");
    }
}
