package io.flock.coordinator.rollout;

import io.flock.core.InvalidInputException;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.link.wire.Cohorts;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code rollout.*} keys: the default stages and soak of a staged rollout, the health window its gates are judged
 * over, and the gates' thresholds.
 *
 * @param stages       cohort share of each stage in percent, increasing, ending at 100
 * @param soak         how long a stage runs, with its gates passing, before the next one
 * @param healthWindow how often the gates compare the canary with the control cohort
 * @param gates        the thresholds
 */
public record RolloutConfig(List<Double> stages, Duration soak, Duration healthWindow, Gates gates) {
    /** Validates the stages and durations. */
    public RolloutConfig {
        List<Double> given = stages;
        stages = ConfigException.wrap("rollout.stages", () -> requireStages(given));
        ConfigException.require(!soak.isNegative(), "rollout.soak", soak);
        ConfigException.require(healthWindow.toMillis() >= 100, "rollout.health-window", healthWindow + " (at least 100ms)");
    }

    /**
     * @param maxErrorRateIncrease   canary (errors + rejections) per answer may exceed control's by this much
     * @param maxOffloadRateIncrease canary offloaded share of answers may exceed control's by this much
     * @param maxConfidenceDrop      canary mean confidence may fall below control's by this much
     * @param maxLatencyRatio        canary mean local latency may be this many times control's (and 1 ms more)
     * @param maxAccuracyDrop        canary accuracy on feedback labels may fall below control's by this much
     * @param minAnswers             answers each cohort needs in a window before the rate, confidence and latency gates decide
     * @param minFeedback            feedback labels each cohort needs in a window before the accuracy gate decides
     */
    public record Gates(double maxErrorRateIncrease, double maxOffloadRateIncrease, double maxConfidenceDrop, double maxLatencyRatio,
                        double maxAccuracyDrop, long minAnswers, long minFeedback) {
        /** Validates the ranges. */
        public Gates {
            ConfigException.require(maxErrorRateIncrease >= 0 && maxErrorRateIncrease <= 1, "rollout.max-error-rate-increase", maxErrorRateIncrease);
            ConfigException.require(maxOffloadRateIncrease >= 0 && maxOffloadRateIncrease <= 1, "rollout.max-offload-rate-increase",
                    maxOffloadRateIncrease);
            ConfigException.require(maxConfidenceDrop >= 0 && maxConfidenceDrop <= 1, "rollout.max-confidence-drop", maxConfidenceDrop);
            ConfigException.require(maxLatencyRatio >= 1, "rollout.max-latency-ratio", maxLatencyRatio);
            ConfigException.require(maxAccuracyDrop >= 0 && maxAccuracyDrop <= 1, "rollout.max-accuracy-drop", maxAccuracyDrop);
            ConfigException.require(minAnswers >= 1, "rollout.min-answers", minAnswers);
            ConfigException.require(minFeedback >= 1, "rollout.min-feedback", minFeedback);
        }
    }

    /** Adds the section's keys with their defaults. */
    public static void defaults(Map<String, String> d) {
        d.put("rollout.stages", "1,10,50,100");
        d.put("rollout.soak", "10m");
        d.put("rollout.health-window", "1m");
        d.put("rollout.max-error-rate-increase", "0.02");
        d.put("rollout.max-offload-rate-increase", "0.1");
        d.put("rollout.max-confidence-drop", "0.05");
        d.put("rollout.max-latency-ratio", "1.5");
        d.put("rollout.max-accuracy-drop", "0.05");
        d.put("rollout.min-answers", "100");
        d.put("rollout.min-feedback", "50");
    }

    /** @throws ConfigException naming the bad key */
    public static RolloutConfig from(Settings s) {
        return new RolloutConfig(ConfigException.wrap("rollout.stages", () -> parseStages(s.string("rollout.stages"))), s.duration("rollout.soak"),
                s.duration("rollout.health-window"), new Gates(s.decimal("rollout.max-error-rate-increase"),
                s.decimal("rollout.max-offload-rate-increase"), s.decimal("rollout.max-confidence-drop"), s.decimal("rollout.max-latency-ratio"),
                s.decimal("rollout.max-accuracy-drop"), s.integer("rollout.min-answers"), s.integer("rollout.min-feedback")));
    }

    /**
     * @param csv stage shares in percent, comma-separated
     * @throws InvalidInputException for a share that is not a number
     */
    public static List<Double> parseStages(String csv) {
        try {
            return Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Double::parseDouble).toList();
        } catch (NumberFormatException e) {
            throw new InvalidInputException("stages must be numbers in percent such as 1,10,50,100, got '" + csv + "'");
        }
    }

    /**
     * @return the stages, checked: 1 to 10 shares, each in (0, 100] as whole basis points, strictly increasing, the last 100
     * @throws InvalidInputException naming what is wrong
     */
    public static List<Double> requireStages(List<Double> stages) {
        if (stages == null || stages.isEmpty() || stages.size() > 10) {
            throw new InvalidInputException("a rollout needs 1 to 10 stages, got " + (stages == null ? 0 : stages.size()));
        }
        double last = 0;
        for (double s : stages) {
            Cohorts.basisPoints(s);
            if (s <= last) {
                throw new InvalidInputException("stages must increase, got " + stages);
            }
            last = s;
        }
        if (last != 100) {
            throw new InvalidInputException("the last stage must be 100 (percent), got " + stages);
        }
        return List.copyOf(stages);
    }
}
