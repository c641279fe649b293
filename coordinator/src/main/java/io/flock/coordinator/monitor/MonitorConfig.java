package io.flock.coordinator.monitor;

import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code monitor.*} and {@code retrain.*} keys: how drift is judged and when retraining starts.
 *
 * <p>Designed false-alarm rate: a statistic alarms only when its test is significant after a Bonferroni correction over
 * every test of the window (family-wise rate at most {@code alpha} per window under no drift) <em>and</em> its PSI
 * reaches {@code psi}. Under no drift, PSI is about a chi-square variable with (bins - 1) degrees of freedom scaled by
 * (1/n + 1/m): at 10 bins, n = 200 answers in a window and m = 10,000 reference samples, PSI 0.2 is that chi-square at
 * 39, which it exceeds with probability about 1e-5. Both conditions must hold, so a window's false-alarm probability is
 * at most that of the rarer one: about 1e-5 per statistic, under 1e-3 per window for 6 statistics in 10 cohorts, under
 * 3 % over 30 windows, and far less with more answers per window (the PSI's spread shrinks as 1/n).
 * DriftMonitorTest counts the alarms of windows drawn from the reference itself. The error stream's DDM signals drift at
 * 3 standard deviations over its best level; alone it false-alarms on about 1 stationary stream in 8 (a lucky low
 * early window sets its best level; DdmDetectorTest pins the rate), so a concept-drift alarm also needs the window's own
 * error rate over the stream's rate before it by {@code minErrorIncrease} and by 4 of the window's standard errors
 * (one-sided, about 3e-5 per window and cohort under no drift).
 *
 * @param window          a telemetry window: the fleet's reports are summed and judged once per window
 * @param alpha           family-wise significance per window (Bonferroni over the window's tests)
 * @param psi             the PSI a statistic must also reach to alarm
 * @param minSamples      answers a cohort needs in a window before its statistics are tested
 * @param cohortLabel     the device label whose values form cohorts judged on their own ("" = the fleet only)
 * @param baselineWindows windows of the fleet's own statistics that become the reference after a drift retraining
 * @param minFeedback     feedback labels the error stream needs before its detector decides
 * @param minErrorIncrease how far a window's error rate must exceed the stream's rate before it for a concept-drift alarm
 * @param retention       how long drift rows are kept
 * @param retrain         when retraining starts
 */
public record MonitorConfig(Duration window, double alpha, double psi, long minSamples, String cohortLabel, int baselineWindows,
                            long minFeedback, double minErrorIncrease, Duration retention, Retrain retrain) {
    /** Validates the ranges. */
    public MonitorConfig {
        ConfigException.require(window.toMillis() >= 100, "monitor.window", window + " (at least 100ms)");
        ConfigException.require(alpha > 0 && alpha < 1, "monitor.alpha", alpha);
        ConfigException.require(psi > 0, "monitor.psi", psi);
        ConfigException.require(minSamples >= 1, "monitor.min-samples", minSamples);
        ConfigException.require(cohortLabel.isEmpty() || cohortLabel.matches("[a-z][a-z0-9-]{0,31}"), "monitor.cohort-label", cohortLabel);
        ConfigException.require(baselineWindows >= 1, "monitor.baseline-windows", baselineWindows);
        ConfigException.require(minFeedback >= 1, "monitor.min-feedback", minFeedback);
        ConfigException.require(minErrorIncrease > 0 && minErrorIncrease < 1, "monitor.min-error-increase", minErrorIncrease);
        ConfigException.require(!retention.isNegative() && !retention.isZero(), "monitor.retention", retention);
    }

    /**
     * @param onDrift     a drift alarm starts retraining
     * @param interval    retrain on a schedule, this often; zero = never
     * @param minAccuracy retrain when the fleet's accuracy on feedback labels in a window falls under this; 0 = never
     * @param rounds      rounds a trigger queues
     * @param cooldown    no trigger fires within this long of the last
     */
    public record Retrain(boolean onDrift, Duration interval, double minAccuracy, int rounds, Duration cooldown) {
        /** Validates the ranges. */
        public Retrain {
            ConfigException.require(!interval.isNegative(), "retrain.interval", interval);
            ConfigException.require(minAccuracy >= 0 && minAccuracy <= 1, "retrain.min-accuracy", minAccuracy);
            ConfigException.require(rounds >= 1 && rounds <= 1000, "retrain.rounds", rounds);
            ConfigException.require(!cooldown.isNegative(), "retrain.cooldown", cooldown);
        }
    }

    /** Adds the sections' keys with their defaults. */
    public static void defaults(Map<String, String> d) {
        d.put("monitor.window", "1m");
        d.put("monitor.alpha", "0.05");
        d.put("monitor.psi", "0.2");
        d.put("monitor.min-samples", "200");
        d.put("monitor.cohort-label", "hardware");
        d.put("monitor.baseline-windows", "3");
        d.put("monitor.min-feedback", "30");
        d.put("monitor.min-error-increase", "0.05");
        d.put("monitor.retention", "168h");
        d.put("retrain.on-drift", "true");
        d.put("retrain.interval", "0s");
        d.put("retrain.min-accuracy", "0");
        d.put("retrain.rounds", "5");
        d.put("retrain.cooldown", "10m");
    }

    /** @throws ConfigException naming the bad key */
    public static MonitorConfig from(Settings s) {
        return new MonitorConfig(s.duration("monitor.window"), s.decimal("monitor.alpha"), s.decimal("monitor.psi"), s.integer("monitor.min-samples"),
                s.string("monitor.cohort-label"), s.integer("monitor.baseline-windows"), s.integer("monitor.min-feedback"),
                s.decimal("monitor.min-error-increase"),
                s.duration("monitor.retention"), new Retrain(s.bool("retrain.on-drift"), s.duration("retrain.interval"),
                s.decimal("retrain.min-accuracy"), s.integer("retrain.rounds"), s.duration("retrain.cooldown")));
    }
}
