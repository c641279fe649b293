package io.flock.simulator.fleetops;

import io.flock.core.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The {@code fleetops:} section of a scenario: after its training rounds, the fleet serves predictions for a number of
 * telemetry windows (answers per device per window, a share of them with the true label reported later), with a drift
 * injected at a chosen window or a candidate rolled out in stages.
 *
 * @param window   a telemetry window: the coordinator's monitor.window and rollout.health-window; devices report four
 *                 times a window
 * @param windows  serving windows after the training rounds
 * @param answers  predictions each online device answers per window
 * @param feedback share of answers whose true label the app reports, [0, 1]
 * @param drift    the injected drift; null = none (a control run)
 * @param rollout  the candidate rolled out; null = none
 */
public record FleetOpsSpec(Duration window, int windows, int answers, double feedback, DriftSpec drift, RolloutSpec rollout) {
    /** Validates the ranges. */
    public FleetOpsSpec {
        ConfigException.require(window.toMillis() >= 400, "fleetops.window", window + " (at least 400ms)");
        ConfigException.require(windows >= 1 && windows <= 1000, "fleetops.windows", windows);
        ConfigException.require(answers >= 1 && answers <= 10_000, "fleetops.answers", answers);
        ConfigException.require(feedback >= 0 && feedback <= 1, "fleetops.feedback", feedback);
        ConfigException.require(drift == null || drift.atWindow() <= windows, "fleetops.drift.atWindow",
                drift == null ? 0 : drift.atWindow() + " (the run has " + windows + " windows)");
        ConfigException.require(rollout == null || rollout.atWindow() <= windows, "fleetops.rollout.atWindow",
                rollout == null ? 0 : rollout.atWindow() + " (the run has " + windows + " windows)");
    }

    /**
     * A staged rollout of a candidate the run makes from the production version at its window.
     *
     * @param candidate good: fine-tuned on clean data; bad: fine-tuned on labels moved by one class (label-flipped)
     * @param atWindow  the window it starts at, from 1
     * @param stages    cohort share per stage, percent
     * @param soak      time per stage
     */
    public record RolloutSpec(String candidate, int atWindow, List<Double> stages, Duration soak) {
        /** Validates the candidate's kind and the window. */
        public RolloutSpec {
            ConfigException.require(candidate.equals("good") || candidate.equals("bad"), "fleetops.rollout.candidate (good or bad)", candidate);
            ConfigException.require(atWindow >= 1, "fleetops.rollout.atWindow", atWindow);
            stages = List.copyOf(stages);
            ConfigException.require(!soak.isNegative(), "fleetops.rollout.soak", soak);
        }
    }
}
