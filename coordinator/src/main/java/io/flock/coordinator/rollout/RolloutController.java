package io.flock.coordinator.rollout;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.monitor.DeviceWindow;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.DeviceRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.DaemonThreads;
import io.flock.core.InvalidInputException;
import io.flock.link.wire.Cohorts;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one model's staged rollouts: a CANDIDATE version goes to a cohort chosen by a hash of the device id (and labels),
 * stage by stage, each stage soaking for a while. Every health window the canary cohort (devices running the candidate)
 * is compared with the control cohort (devices outside the cohort running the production version) by
 * {@link HealthGates}; a failed gate rolls the cohort back at once. A stage advances once its soak has passed and at
 * least one of its windows had its rate gates decided and every decided gate passed. A stage whose cohort leaves too
 * few control devices (100 %) is judged against the last window's control that had enough answers; a rollout that
 * starts at 100 % has no control at all and completes on its soak. After the last stage the candidate becomes
 * production. Every step is logged and stored with its reason ({@link FleetEvents}); the state is stored at each
 * step, and a restarted coordinator resumes the rollout at its stage. Thread-safe.
 */
public final class RolloutController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RolloutController.class);
    private final String model;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final RolloutConfig config;
    private final FleetEvents events;
    private final Clock clock;
    private final Runnable announce;
    private final ScheduledExecutorService ticker;
    private Rollout latest;
    private CohortHealth canary = new CohortHealth();
    private CohortHealth control = new CohortHealth();
    /** The newest window's control with enough answers: what the last stages, whose cohort leaves no control, are judged against. */
    private CohortHealth lastControl;
    private long windowStartMs;
    private boolean stagePassed;
    private List<GateResult> lastGates = List.of();

    /**
     * @param announce re-announces the model (its production version, with the rollout's canary while one is active)
     */
    public RolloutController(String model, FlockStore store, ModelRegistry registry, DeviceRegistry devices, RolloutConfig config,
                             FleetEvents events, Clock clock, Runnable announce) {
        this.model = model;
        this.store = store;
        this.registry = registry;
        this.devices = devices;
        this.config = config;
        this.events = events;
        this.clock = clock;
        this.announce = announce;
        this.latest = store.latestRollout(model).map(Rollout::of).orElse(null);
        this.windowStartMs = clock.millis();
        this.ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-rollout-" + model));
    }

    /** Starts judging windows; an active rollout found in the store resumes at its stage. */
    public RolloutController start() {
        synchronized (this) {
            if (latest != null && latest.status().active()) {
                events.record(model, FleetEvents.ROLLOUT, "rollout " + latest.id() + " resumes after a restart at stage " + (latest.stage() + 1) + "/"
                        + latest.stages().size() + " (" + Rollout.percentText(latest.percent()) + " %), " + latest.status());
            }
        }
        long every = Math.max(50, Math.min(1000, config.healthWindow().toMillis() / 4));
        ticker.scheduleWithFixedDelay(this::tickSafely, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Starts a staged rollout of a candidate.
     *
     * @param stages percent per stage; empty = rollout.stages
     * @param soak   time per stage; null = rollout.soak
     * @param labels labels a device needs to be in the cohort (hardware=...); empty = any
     * @throws io.flock.coordinator.registry.ModelNotFoundException for an unknown version
     * @throws RolloutStateException when a rollout is active, the version is not a candidate or there is no production version
     * @throws InvalidInputException for bad stages or labels
     */
    public Rollout start(long version, List<Double> stages, Duration soak, Map<String, String> labels, String reason) {
        List<Double> plan = RolloutConfig.requireStages(stages.isEmpty() ? config.stages() : stages);
        Duration stageSoak = soak == null ? config.soak() : soak;
        if (stageSoak.isNegative()) {
            throw new InvalidInputException("soak must be >= 0, got " + stageSoak);
        }
        labels.forEach((k, v) -> {
            FieldLimits.require("label", k, FieldLimits.MODEL);
            FieldLimits.require("label value", v, FieldLimits.HARDWARE);
            if (k.isBlank() || k.contains("=") || k.contains(",") || v.contains(",")) {
                throw new InvalidInputException("a label is key=value without ',' and a key without '=', got '" + FieldLimits.echo(k) + "'");
            }
        });
        String why = reason(reason);
        Rollout r;
        synchronized (this) {
            if (latest != null && latest.status().active()) {
                throw new RolloutStateException("model " + model + " has rollout " + latest.id() + " " + latest.status() + " at stage "
                        + (latest.stage() + 1) + " (version " + latest.version() + "): abort it or let it finish first");
            }
            ModelVersion v = registry.requireVersion(model, version);
            if (v.stage() != Stage.CANDIDATE) {
                throw new RolloutStateException("version " + version + " of " + model + " is " + v.stage() + "; only a CANDIDATE is rolled out");
            }
            ModelVersion production = registry.current(model)
                    .orElseThrow(() -> new RolloutStateException("model " + model + " has no production version to roll out against"));
            long now = clock.millis();
            String salt = HexFormat.of().formatHex(longBytes());
            r = new Rollout(0, model, version, production.version(), plan, 0, RolloutStatus.RUNNING, now, stageSoak, salt, labels,
                    "started: " + why, now);
            registry.promote(model, version, Stage.CANARY);
            long id = store.saveRollout(r.row());
            r = new Rollout(id, model, version, production.version(), plan, 0, RolloutStatus.RUNNING, now, stageSoak, salt, labels,
                    r.lastDecision(), now);
            latest = r;
            newWindow(now);
            stagePassed = false;
            events.record(model, FleetEvents.ROLLOUT, "rollout " + id + " of version " + version + " replacing version " + production.version()
                    + " started over stages " + r.stagesText() + " % (soak " + stageSoak + (labels.isEmpty() ? "" : ", labels " + labels)
                    + "): " + why + "; stage 1 cohort " + canaryDevices() + " devices");
        }
        announce.run();
        return r;
    }

    /** Holds the rollout at its stage. @throws RolloutStateException unless it is running */
    public Rollout pause(String reason) {
        return change(RolloutStatus.RUNNING, RolloutStatus.PAUSED, "paused", reason, false);
    }

    /** Continues a paused rollout; its stage's soak counts again from now. @throws RolloutStateException unless it is paused */
    public Rollout resume(String reason) {
        return change(RolloutStatus.PAUSED, RolloutStatus.RUNNING, "resumed", reason, false);
    }

    /** Ends an active rollout and returns its cohort to the production version. @throws RolloutStateException unless active */
    public Rollout abort(String reason) {
        return end(RolloutStatus.ABORTED, "aborted by an operator: " + reason(reason), false);
    }

    /**
     * Rolls back at once: an active rollout's cohort returns to the production version; after a completed rollout, the
     * version it replaced becomes production again.
     *
     * @throws RolloutStateException when the newest rollout is neither active nor completed
     */
    public Rollout rollback(String reason) {
        synchronized (this) {
            if (latest != null && latest.status() == RolloutStatus.COMPLETED) {
                Rollout r = latest.with(RolloutStatus.ROLLED_BACK, "rolled back by an operator after completion: " + reason(reason));
                store.updateRollout(r.row());
                latest = r;
                events.record(model, FleetEvents.ROLLBACK, "rollout " + r.id() + ": version " + r.previousVersion() + " is production again, "
                        + "replacing version " + r.version() + ": " + reason(reason));
                registry.rollback(model, r.previousVersion());
                return r;
            }
        }
        return end(RolloutStatus.ROLLED_BACK, "rolled back by an operator: " + reason(reason), false);
    }

    private Rollout change(RolloutStatus from, RolloutStatus to, String verb, String reason, boolean quiet) {
        synchronized (this) {
            Rollout r = requireActive();
            if (r.status() != from) {
                throw new RolloutStateException("rollout " + r.id() + " is " + r.status() + "; only a " + from + " rollout can be " + verb);
            }
            long now = clock.millis();
            r = (to == RolloutStatus.RUNNING ? r.atStage(r.stage(), now, verb + ": " + reason(reason)) : r).with(to, verb + ": " + reason(reason));
            store.updateRollout(r.row());
            latest = r;
            newWindow(now);
            if (!quiet) {
                events.record(model, FleetEvents.ROLLOUT, "rollout " + r.id() + " " + verb + " at stage " + (r.stage() + 1) + ": " + reason(reason));
            }
            return r;
        }
    }

    private Rollout end(RolloutStatus status, String why, boolean automatic) {
        Rollout r;
        synchronized (this) {
            r = requireActive().with(status, why);
            store.updateRollout(r.row());
            latest = r;
            registry.promote(model, r.version(), Stage.CANDIDATE);
            events.record(model, automatic || status == RolloutStatus.ROLLED_BACK ? FleetEvents.ROLLBACK : FleetEvents.ROLLOUT, "rollout " + r.id()
                    + " " + status + " at stage " + (r.stage() + 1) + "/" + r.stages().size() + ": the cohort returns to version "
                    + r.previousVersion() + "; " + why);
        }
        announce.run();
        return r;
    }

    private Rollout requireActive() {
        if (latest == null || !latest.status().active()) {
            throw new RolloutStateException("model " + model + " has no active rollout" + (latest == null ? "" : " (the newest, "
                    + latest.id() + ", is " + latest.status() + ")"));
        }
        return latest;
    }

    /** @return the newest rollout, active or not; empty when the model never had one */
    public synchronized Optional<Rollout> latest() {
        return Optional.ofNullable(latest);
    }

    /** @return the active rollout (running or paused) */
    public synchronized Optional<Rollout> active() {
        return latest != null && latest.status().active() ? Optional.of(latest) : Optional.empty();
    }

    /** @return the gates of the last judged window */
    public synchronized List<GateResult> lastGates() {
        return lastGates;
    }

    /** @return whether the device is in the active rollout's current cohort */
    public boolean inCohort(String deviceId) {
        Rollout r = active().orElse(null);
        return r != null && Cohorts.contains(r.cohort(), deviceId, devices.labels(deviceId));
    }

    /** @return registered devices in the active rollout's current cohort, 0 when none is active */
    public int canaryDevices() {
        Rollout r = active().orElse(null);
        if (r == null) {
            return 0;
        }
        int n = 0;
        for (DeviceRow d : devices.all()) {
            n += Cohorts.contains(r.cohort(), d.deviceId(), devices.labels(d.deviceId())) ? 1 : 0;
        }
        return n;
    }

    /**
     * Counts a device's window toward the running rollout's health: the candidate's runners are the canary, devices
     * outside the cohort running the production version the control; others (mid-update, older versions) are left out.
     */
    public void observe(DeviceWindow w) {
        Rollout r = active().orElse(null);
        if (r == null || r.status() != RolloutStatus.RUNNING) {
            return;
        }
        boolean member = inCohort(w.deviceId());
        synchronized (this) {
            if (w.runningVersion() == r.version() && member) {
                canary.add(w);
            } else if (w.runningVersion() == r.previousVersion() && !member) {
                control.add(w);
            }
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("model={} rollout tick failed: {}", model, e.toString());
        }
    }

    /** Judges a health window when one has passed, and rolls back, advances or completes. Called by the ticker; tests call it. */
    void tick() {
        boolean changed = false;
        Rollout r;
        synchronized (this) {
            r = latest;
            long now = clock.millis();
            if (r == null || r.status() != RolloutStatus.RUNNING || now - windowStartMs < config.healthWindow().toMillis()) {
                return;
            }
            if (control.answers() >= config.gates().minAnswers()) {
                lastControl = control;
            }
            CohortHealth against = control.answers() < config.gates().minAnswers() && lastControl != null ? lastControl : control;
            List<GateResult> gates = HealthGates.judge(canary, against, config.gates());
            lastGates = gates;
            String summary = "canary " + canary.devices() + " devices " + canary.answers() + " answers, control " + control.devices()
                    + " devices " + control.answers() + " answers" + (against == control ? "" : " (judged against the last control with enough, "
                    + against.devices() + " devices " + against.answers() + " answers)") + ": " + gates.stream().map(GateResult::describe).collect(Collectors.joining("; "));
            newWindow(now);
            List<GateResult> failed = gates.stream().filter(g -> !g.passed()).toList();
            if (!failed.isEmpty()) {
                r = null; // rolled back below, outside the lock's announce
            } else {
                boolean ratesDecided = gates.get(0).decided() && gates.get(1).decided();
                // a first stage of 100 % leaves no control to judge against: it completes on its soak alone
                boolean noControl = latest.percent() == 100 && lastControl == null;
                stagePassed |= ratesDecided || noControl;
                events.record(model, FleetEvents.GATE, "rollout " + latest.id() + " stage " + (latest.stage() + 1) + " window "
                        + (ratesDecided ? "passed" : noControl ? "undecided, and no control cohort exists to judge against" : "undecided") + ": "
                        + summary);
                if (stagePassed && now - latest.stageStartedMs() >= latest.soak().toMillis()) {
                    changed = true;
                    r = advance(now);
                }
            }
            if (r == null) {
                String why = "gate failed (" + failed.stream().map(GateResult::describe).collect(Collectors.joining("; ")) + "); " + summary;
                events.record(model, FleetEvents.GATE, "rollout " + latest.id() + " stage " + (latest.stage() + 1) + " window failed: " + summary);
                endAutomatically(why);
                return;
            }
        }
        if (changed) {
            if (r.status() == RolloutStatus.COMPLETED) {
                registry.promote(model, r.version(), Stage.PRODUCTION);
            } else {
                announce.run();
            }
        }
    }

    private void endAutomatically(String why) {
        end(RolloutStatus.ROLLED_BACK, "automatic rollback: " + why, true);
    }

    /** Moves to the next stage or completes; caller holds the lock. */
    private Rollout advance(long now) {
        Rollout r = latest;
        stagePassed = false;
        if (r.lastStage()) {
            r = r.with(RolloutStatus.COMPLETED, "completed: every stage passed its gates");
            store.updateRollout(r.row());
            latest = r;
            events.record(model, FleetEvents.ROLLOUT, "rollout " + r.id() + " completed: version " + r.version() + " becomes production");
            return r;
        }
        r = r.atStage(r.stage() + 1, now, "advanced to stage " + (r.stage() + 2) + " after a soak of " + r.soak() + " with gates passing");
        store.updateRollout(r.row());
        latest = r;
        events.record(model, FleetEvents.ROLLOUT, "rollout " + r.id() + " advances to stage " + (r.stage() + 1) + "/" + r.stages().size() + " ("
                + Rollout.percentText(r.percent()) + " %): " + canaryDevices() + " devices in the cohort");
        return r;
    }

    private void newWindow(long now) {
        windowStartMs = now;
        canary = new CohortHealth();
        control = new CohortHealth();
    }

    private static String reason(String reason) {
        String r = reason == null || reason.isBlank() ? "(no reason given)" : reason.strip();
        FieldLimits.require("reason", r, FieldLimits.REASON);
        return r;
    }

    private static byte[] longBytes() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
