package io.flock.coordinator.monitor;

import io.flock.coordinator.store.FleetEventRow;
import io.flock.coordinator.store.FlockStore;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's log of decisions: rollout steps, gate decisions, rollbacks, drift alarms and retraining triggers. Each is
 * logged with its reason and stored, so that the admin CLI and the dashboard show why. Thread-safe.
 */
public final class FleetEvents {
    /** A rollout started, advanced, paused, resumed, completed or was aborted. */
    public static final String ROLLOUT = "rollout";
    /** A health window's gate decision. */
    public static final String GATE = "gate";
    /** A cohort was returned to the previous version. */
    public static final String ROLLBACK = "rollback";
    /** A drift alarm. */
    public static final String DRIFT = "drift";
    /** A retraining trigger started rounds. */
    public static final String TRIGGER = "trigger";
    private static final Logger log = LoggerFactory.getLogger(FleetEvents.class);
    private static final int MAX_DETAIL = 2000;
    private final FlockStore store;
    private final Clock clock;

    /** @param clock stamps the events */
    public FleetEvents(FlockStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Logs and stores an event. */
    public void record(String model, String kind, String detail) {
        String d = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL - 3) + "..." : detail;
        log.info("model={} {}: {}", model, kind, d);
        store.saveFleetEvent(new FleetEventRow(model, kind, clock.millis(), d));
    }

    /** @return the model's newest events, newest first */
    public List<FleetEventRow> newest(String model, int limit) {
        return store.fleetEvents(model, limit);
    }
}
