package io.flock.simulator.fleetops;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.rollout.RolloutStatus;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.core.DaemonThreads;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a rollout from the devices' side: every 100 ms, how many devices run the candidate, against how many the
 * rollout's cohort holds at that moment. The target is that the candidate never runs on more devices than its cohort
 * (plus devices still mid-update when the cohort shrinks back at a rollback). Thread-safe.
 */
public final class RolloutWatch implements AutoCloseable {
    private final CoordinatorServer coordinator;
    private final List<EdgeAgent> agents;
    private final Rollout started;
    private final double candidateAccuracy;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-rollout-watch"));
    private int maxRunning;
    private int maxCohort;
    private int maxOvershoot = Integer.MIN_VALUE;
    private int running;
    private int cohort;
    private long samples;

    private RolloutWatch(CoordinatorServer coordinator, List<EdgeAgent> agents, Rollout started, double candidateAccuracy) {
        this.coordinator = coordinator;
        this.agents = agents;
        this.started = started;
        this.candidateAccuracy = candidateAccuracy;
    }

    /**
     * @param candidateAccuracy the candidate's held-out accuracy (reported beside the outcome)
     * @return a watch sampling from now
     */
    public static RolloutWatch start(CoordinatorServer coordinator, List<EdgeAgent> agents, Rollout started, double candidateAccuracy) {
        RolloutWatch w = new RolloutWatch(coordinator, agents, started, candidateAccuracy);
        w.sampler.scheduleAtFixedRate(w::sample, 0, 100, TimeUnit.MILLISECONDS);
        return w;
    }

    private void sample() {
        int now = 0;
        for (EdgeAgent a : agents) {
            now += a.localModel().version() == started.version() ? 1 : 0;
        }
        Rollout r = coordinator.rollouts().latest().orElse(started);
        boolean active = r.id() == started.id() && r.status().active();
        boolean completed = r.id() == started.id() && r.status() == RolloutStatus.COMPLETED;
        int inCohort = active ? coordinator.rollouts().canaryDevices() : completed ? agents.size() : 0;
        synchronized (this) {
            running = now;
            cohort = inCohort;
            samples++;
            maxRunning = Math.max(maxRunning, now);
            maxCohort = Math.max(maxCohort, inCohort);
            if (active) {
                maxOvershoot = Math.max(maxOvershoot, now - inCohort);
            }
        }
    }

    /** @return this moment's figures for a window row */
    public synchronized Map<String, Object> snapshot() {
        Rollout r = coordinator.rollouts().latest().orElse(started);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rolloutStatus", r.status().name());
        m.put("rolloutStage", r.stage() + 1);
        m.put("rolloutPercent", r.percent());
        m.put("devicesOnCandidate", running);
        m.put("cohortDevices", cohort);
        return m;
    }

    /** @return a progress line's rollout part */
    public synchronized String line() {
        Rollout r = coordinator.rollouts().latest().orElse(started);
        return String.format("rollout %s stage %d/%d (%s %%): %d devices on v%d, cohort %d", r.status(), r.stage() + 1, r.stages().size(),
                r.percent(), running, started.version(), cohort);
    }

    /**
     * @param events the run's fleet events, oldest first
     * @return the rollout's outcome: status, stages reached, health windows judged until a rollback, and the device counts
     */
    public synchronized Map<String, Object> outcome(List<FleetEventRow> events) {
        Rollout r = coordinator.rollouts().latest().orElse(started);
        String tag = "rollout " + started.id() + " ";
        List<FleetEventRow> mine = events.stream().filter(e -> e.detail().startsWith(tag)).toList();
        long gates = 0;
        long gatesToRollback = -1;
        for (FleetEventRow e : mine) {
            if (e.kind().equals(FleetEvents.GATE)) {
                gates++;
                if (e.detail().contains("window failed") && gatesToRollback < 0) {
                    gatesToRollback = gates;
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", started.id());
        m.put("candidateVersion", started.version());
        m.put("previousVersion", started.previousVersion());
        m.put("candidateHeldOutAccuracy", candidateAccuracy);
        m.put("stages", r.stages());
        m.put("status", r.status().name());
        m.put("stageReached", r.stage() + 1);
        m.put("healthWindowsJudged", gates);
        m.put("healthWindowsToRollback", gatesToRollback);
        m.put("secondsToEnd", (mine.isEmpty() ? 0 : mine.get(mine.size() - 1).atMs() - started.startedMs()) / 1000.0);
        m.put("maxDevicesOnCandidate", maxRunning);
        m.put("maxCohortDevices", maxCohort);
        m.put("maxOvershoot", maxOvershoot == Integer.MIN_VALUE ? 0 : maxOvershoot);
        m.put("samples", samples);
        m.put("decision", r.lastDecision());
        m.put("steps", mine.stream().map(e -> Map.of("atMs", e.atMs(), "kind", e.kind(), "detail", e.detail())).toList());
        return m;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
