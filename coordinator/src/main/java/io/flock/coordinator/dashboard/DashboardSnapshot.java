package io.flock.coordinator.dashboard;

import java.util.List;
import java.util.Map;

/**
 * What the fleet dashboard shows, read at one instant: the fleet, the rounds, the rollout, drift and serving. Plain
 * values, built by the coordinator from its store, registry and metrics; the page and its JSON render them as they are.
 *
 * @param model       the model the coordinator trains and pushes
 * @param generatedMs when the snapshot was taken, Unix ms
 * @param fleet       devices and the versions they run
 * @param rounds      the newest rounds, oldest first
 * @param rollout     the model's newest rollout, null when it never had one
 * @param drift       drift assessments per window, statistic and cohort, oldest first
 * @param events      the newest fleet events (rollout steps, drift alarms, retraining triggers), newest first
 * @param serving     the coordinator's serving of offloaded predictions
 */
public record DashboardSnapshot(String model, long generatedMs, Fleet fleet, List<RoundPoint> rounds, Rollout rollout,
                                List<DriftPoint> drift, List<FleetEvent> events, Serving serving) {

    /**
     * @param registered        devices registered for the model
     * @param online            devices with a live MQTT session now
     * @param productionVersion the model's production version, 0 = none
     * @param devicesPerVersion version a device last reported running (0 = none yet) to how many devices run it
     * @param versionsPerCohort cohort name ("canary", "control", or a device label value) to its version counts
     */
    public record Fleet(int registered, int online, long productionVersion, Map<Long, Integer> devicesPerVersion,
                        Map<String, Map<Long, Integer>> versionsPerCohort) {
    }

    /**
     * @param round      round number
     * @param version    version it produced (the base version when it failed)
     * @param accuracy   held-out accuracy of that version, NaN when not scored
     * @param selected   devices asked
     * @param updates    updates aggregated
     * @param finishedMs when it ended, Unix ms
     * @param status     CLOSED, FAILED or OPEN
     */
    public record RoundPoint(long round, long version, double accuracy, int selected, int updates, long finishedMs, String status) {
    }

    /**
     * @param id              rollout id
     * @param version         the candidate rolled out
     * @param previousVersion the production version it replaces (what a rollback returns to)
     * @param status          RUNNING, PAUSED, COMPLETED, ROLLED_BACK or ABORTED
     * @param stage           index of the current stage in {@code stagesPercent}
     * @param stagesPercent   the cohort share of each stage, in percent (fractions allowed: 0.5)
     * @param canaryDevices   devices in the current stage's cohort
     * @param stageStartedMs  when the current stage began, Unix ms
     * @param lastDecision    the last gate decision, in words
     * @param gates           the last health window's gates, canary against control
     */
    public record Rollout(long id, long version, long previousVersion, String status, int stage, List<Double> stagesPercent,
                          int canaryDevices, long stageStartedMs, String lastDecision, List<Gate> gates) {
    }

    /**
     * @param name      gate name: error-rate, offload-rate, mean-confidence, latency-ms, feedback-accuracy
     * @param canary    the canary cohort's value in the window
     * @param control   the control cohort's value
     * @param threshold the allowed difference (canary worse than control by more fails)
     * @param passed    false when the gate failed, true when it passed or lacked data
     * @param note      "" or why it did not decide (too few samples)
     */
    public record Gate(String name, double canary, double control, double threshold, boolean passed, String note) {
    }

    /**
     * @param windowEndMs when the telemetry window closed, Unix ms
     * @param cohort      "fleet" or a cohort name
     * @param statistic   what was compared with the reference: a projection's name, "label-mix", "confidence", "error-rate"
     * @param value       its effect size (PSI; for error-rate, the DDM level)
     * @param pValue      the test's p-value; for error-rate the window's error rate
     * @param alarm       whether this window raised a drift alarm on it
     */
    public record DriftPoint(long windowEndMs, String cohort, String statistic, double value, double pValue, boolean alarm) {
    }

    /**
     * @param atMs   when it happened, Unix ms
     * @param kind   rollout, gate, rollback, drift, trigger
     * @param detail what happened and why, in words
     */
    public record FleetEvent(long atMs, String kind, String detail) {
    }

    /**
     * @param qps         offloaded predictions answered per second, over the last minute
     * @param p99Ms       99th percentile answer time, ms
     * @param offloadRate share of the fleet's predictions offloaded, over the newest telemetry
     * @param predictions offloaded predictions answered since start
     */
    public record Serving(double qps, double p99Ms, double offloadRate, long predictions) {
    }
}
