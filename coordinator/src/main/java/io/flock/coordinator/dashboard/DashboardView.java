package io.flock.coordinator.dashboard;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.metrics.CoordinatorMetrics;
import io.flock.coordinator.metrics.RecentAnswers;
import io.flock.coordinator.monitor.DeviceWindow;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.rollout.GateResult;
import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.rollout.RolloutController;
import io.flock.coordinator.store.DeviceRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.RoundSummary;
import io.flock.link.wire.Cohorts;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Builds the dashboard's {@link DashboardSnapshot} from the coordinator's parts: devices and the versions they report,
 * rounds from the store, the newest rollout with its gates, stored drift rows and fleet events, and serving figures
 * (the coordinator's answers over the last minute; the fleet's offload share from the last minute of telemetry, which
 * this view follows as a telemetry listener). A snapshot is kept for a second: every open page asks every few seconds.
 * Thread-safe.
 */
public final class DashboardView implements Consumer<DeviceWindow> {
    private static final long CACHE_MS = 1000;
    private static final long MINUTE_MS = 60_000;
    private static final int ROUNDS = 200;
    private static final int DRIFT_ROWS = 2000;
    private static final int EVENTS = 30;
    private final String model;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final RolloutController rollouts;
    private final CoordinatorMetrics metrics;
    private final Clock clock;
    private final Deque<long[]> telemetry = new ArrayDeque<>();
    private DashboardSnapshot cached;

    /** @param clock stamps snapshots and ages telemetry */
    public DashboardView(String model, FlockStore store, ModelRegistry registry, DeviceRegistry devices, RolloutController rollouts,
                         CoordinatorMetrics metrics, Clock clock) {
        this.model = model;
        this.store = store;
        this.registry = registry;
        this.devices = devices;
        this.rollouts = rollouts;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Follows the fleet's answers and offloads, for the offload share. */
    @Override
    public synchronized void accept(DeviceWindow w) {
        telemetry.addLast(new long[] {w.receivedMs(), w.answers(), w.offloaded()});
        expire(clock.millis());
    }

    private void expire(long now) {
        while (!telemetry.isEmpty() && now - telemetry.peekFirst()[0] > MINUTE_MS) {
            telemetry.removeFirst();
        }
    }

    /** @return the dashboard's values now (at most a second old) */
    public synchronized DashboardSnapshot snapshot() {
        long now = clock.millis();
        if (cached != null && now - cached.generatedMs() < CACHE_MS) {
            return cached;
        }
        expire(now);
        long production = registry.current(model).map(ModelVersion::version).orElse(0L);
        Rollout rollout = rollouts.latest().orElse(null);
        cached = new DashboardSnapshot(model, now, fleet(production, rollout), rounds(), rollout == null ? null : rollout(rollout),
                store.drift(model, DRIFT_ROWS).stream().map(d -> new DashboardSnapshot.DriftPoint(d.windowEndMs(), d.cohort(), d.statistic(),
                        d.value(), d.pValue(), d.alarm())).toList(),
                store.fleetEvents(model, EVENTS).stream().map(e -> new DashboardSnapshot.FleetEvent(e.atMs(), e.kind(), e.detail())).toList(),
                serving());
        return cached;
    }

    private DashboardSnapshot.Fleet fleet(long production, Rollout rollout) {
        List<DeviceRow> all = devices.all();
        Map<Long, Integer> perVersion = new TreeMap<>();
        Map<String, Map<Long, Integer>> perCohort = new TreeMap<>();
        int online = 0;
        boolean active = rollout != null && rollout.status().active();
        for (DeviceRow d : all) {
            online += devices.online(d.deviceId()) ? 1 : 0;
            perVersion.merge(d.runningVersion(), 1, Integer::sum);
            if (!d.hardware().isEmpty()) {
                perCohort.computeIfAbsent("hardware=" + d.hardware(), c -> new TreeMap<>()).merge(d.runningVersion(), 1, Integer::sum);
            }
            if (active) {
                String cohort = Cohorts.contains(rollout.cohort(), d.deviceId(), devices.labels(d.deviceId())) ? "canary" : "control";
                perCohort.computeIfAbsent(cohort, c -> new TreeMap<>()).merge(d.runningVersion(), 1, Integer::sum);
            }
        }
        return new DashboardSnapshot.Fleet(all.size(), online, production, perVersion, perCohort);
    }

    private List<DashboardSnapshot.RoundPoint> rounds() {
        List<DashboardSnapshot.RoundPoint> out = new ArrayList<>();
        for (RoundSummary r : store.rounds(model, ROUNDS)) {
            out.add(new DashboardSnapshot.RoundPoint(r.round(), r.version(), r.accuracy(), r.selected(), r.accepted(),
                    r.createdMs() > 0 ? r.createdMs() : r.openedMs(), r.status()));
        }
        return out;
    }

    private DashboardSnapshot.Rollout rollout(Rollout r) {
        List<DashboardSnapshot.Gate> gates = new ArrayList<>();
        if (r.status().active()) {
            for (GateResult g : rollouts.lastGates()) {
                gates.add(new DashboardSnapshot.Gate(g.name(), g.canary(), g.control(), g.threshold(), g.passed(), g.note()));
            }
        }
        return new DashboardSnapshot.Rollout(r.id(), r.version(), r.previousVersion(), r.status().name(), r.stage(), r.stages(),
                rollouts.canaryDevices(), r.stageStartedMs(), r.lastDecision(), gates);
    }

    private DashboardSnapshot.Serving serving() {
        RecentAnswers.Summary s = metrics.recentServing();
        long answers = 0;
        long offloaded = 0;
        for (long[] t : telemetry) {
            answers += t[1];
            offloaded += t[2];
        }
        return new DashboardSnapshot.Serving(s.qps(), s.p99Ms(), answers == 0 ? Double.NaN : offloaded / (double) answers, s.total());
    }
}
