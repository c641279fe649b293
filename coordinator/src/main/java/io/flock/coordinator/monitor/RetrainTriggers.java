package io.flock.coordinator.monitor;

import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.store.DriftRow;
import io.flock.core.FlockException;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Starts retraining: by time (every {@code retrain.interval}), by performance (the fleet's accuracy on feedback labels
 * in a window under {@code retrain.min-accuracy}) and by drift (an alarm of the {@link DriftMonitor}). A trigger queues
 * {@code retrain.rounds} rounds on the training schedule; none fires within {@code retrain.cooldown} of the last or
 * while triggered rounds are still running. Each trigger's reason is logged, stored as a fleet event and counted. After
 * the rounds of a drift trigger, the monitor rebuilds its reference from the fleet. Thread-safe.
 */
public final class RetrainTriggers {
    /** Queues rounds: returns how many wait; throws when no schedule runs. */
    @FunctionalInterface
    public interface Rounds {
        /**
         * @return rounds waiting to start
         * @throws FlockException when the coordinator runs no training schedule
         */
        long queue(int count);
    }

    private final String model;
    private final MonitorConfig.Retrain config;
    private final FleetEvents events;
    private final FleetMetrics metrics;
    private final Clock clock;
    private final Rounds rounds;
    private final DriftMonitor monitor;
    private long lastMs;
    private long pendingRounds;
    private boolean afterDrift;
    private String lastReason = "";

    /** @param monitor the drift monitor whose windows and alarms this follows */
    public RetrainTriggers(String model, MonitorConfig.Retrain config, FleetEvents events, FleetMetrics metrics, Clock clock, Rounds rounds,
                           DriftMonitor monitor) {
        this.model = model;
        this.config = config;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.rounds = rounds;
        this.monitor = monitor;
        this.lastMs = clock.millis();
        monitor.onWindow(this::window);
    }

    /** Judges a window of the monitor: drift alarms, then the fleet's feedback accuracy, then the schedule. */
    void window(DriftMonitor.Window w) {
        Optional<String[]> due = due(w);
        due.ifPresent(d -> fire(d[0], d[1]));
    }

    private synchronized Optional<String[]> due(DriftMonitor.Window w) {
        long now = clock.millis();
        if (pendingRounds > 0 || now - lastMs < config.cooldown().toMillis() && !lastReason.isEmpty()) {
            return Optional.empty();
        }
        if (config.onDrift() && !w.alarms().isEmpty()) {
            return Optional.of(new String[] {"drift", w.alarms().size() + " drift alarm(s): " + w.alarms().stream()
                    .map(a -> a.statistic() + " in " + a.cohort()).distinct().collect(Collectors.joining(", "))});
        }
        if (config.minAccuracy() > 0 && w.feedback() >= 30) {
            double accuracy = 1 - w.feedbackErrors() / (double) w.feedback();
            if (accuracy < config.minAccuracy()) {
                return Optional.of(new String[] {"performance", String.format("accuracy on %d feedback labels %.4f under retrain.min-accuracy %.4f",
                        w.feedback(), accuracy, config.minAccuracy())});
            }
        }
        if (!config.interval().isZero() && now - lastMs >= config.interval().toMillis()) {
            return Optional.of(new String[] {"schedule", "retrain.interval " + config.interval() + " has passed since the last trigger"});
        }
        return Optional.empty();
    }

    private void fire(String reason, String detail) {
        long queued;
        try {
            queued = rounds.queue(config.rounds());
        } catch (FlockException e) {
            events.record(model, FleetEvents.TRIGGER, reason + " retraining due (" + detail + ") but not started: " + e.getMessage());
            synchronized (this) {
                lastMs = clock.millis();
                lastReason = reason;
            }
            return;
        }
        synchronized (this) {
            lastMs = clock.millis();
            lastReason = reason;
            pendingRounds = config.rounds();
            afterDrift = reason.equals("drift");
        }
        metrics.triggered(model, reason);
        if (reason.equals("drift")) {
            monitor.retraining();
        }
        events.record(model, FleetEvents.TRIGGER, reason + " retraining: " + config.rounds() + " rounds queued (" + queued + " waiting): " + detail);
    }

    /** Counts a finished round toward the triggered ones; after a drift trigger's last round the monitor rebaselines. */
    public void roundFinished(RoundResult r) {
        boolean rebaseline = false;
        synchronized (this) {
            if (pendingRounds > 0 && --pendingRounds == 0) {
                rebaseline = afterDrift;
                afterDrift = false;
            }
        }
        if (rebaseline) {
            monitor.rebaseline();
        }
    }

    /** @return the reason of the last trigger, "" when none fired */
    public synchronized String lastReason() {
        return lastReason;
    }
}
