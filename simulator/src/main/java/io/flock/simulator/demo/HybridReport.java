package io.flock.simulator.demo;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.serving.OffloadAdvisor;
import io.flock.coordinator.serving.OffloadCalibration;
import io.flock.core.data.Dataset;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.OffloadAdvice;
import io.flock.core.model.Prediction;
import io.flock.simulator.report.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hybrid's three accuracies on the requests the apps sent: each device's model alone (the agent's own local model,
 * as it answers), the cloud model alone (the coordinator's serving, as it answers offloads), and what the apps got
 * (local where sure, the cloud's answer where offloaded). With the calibration the threshold came from, and its plot.
 */
final class HybridReport {
    private HybridReport() {
    }

    /**
     * @param samples  the requests' samples: the second half of the test set, which the calibration never saw
     * @param perAgent requests each agent was sent, from sample offset 0
     * @param hybrid   what the apps got
     */
    static Map<String, Object> measure(List<EdgeAgent> agents, CoordinatorServer coordinator, Dataset samples, int perAgent,
                                       PredictionBurst.Tally hybrid) {
        int localRight = 0;
        int cloudRight = 0;
        float[] raw = new float[samples.featureCount()];
        for (int a = 0; a < agents.size(); a++) {
            for (int k = 0; k < perAgent; k++) {
                int i = PredictionBurst.sample(0, a, perAgent, k, samples.size());
                samples.copyRawFeatures(i, raw, 0);
                Prediction local = agents.get(a).localModel().predict(raw).orElseThrow();
                Prediction cloud = coordinator.serving().predict("", raw, Long.MAX_VALUE).join();
                localRight += local.label() == samples.label(i) ? 1 : 0;
                cloudRight += cloud.label() == samples.label(i) ? 1 : 0;
            }
        }
        int n = agents.size() * perAgent;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", n);
        m.put("localOnlyAccuracy", (double) localRight / n);
        m.put("cloudOnlyAccuracy", (double) cloudRight / n);
        m.put("hybridAccuracy", (double) hybrid.correct() / n);
        m.put("offloadRate", (double) hybrid.offloaded() / n);
        m.put("measuredOn", "the second half of the test set (the threshold was calibrated on the first half)");
        OffloadAdvisor advisor = coordinator.offloadAdvisor();
        if (advisor != null) {
            advisor.latest().ifPresent(c -> m.put("calibration", calibration(c)));
        }
        return m;
    }

    /** Writes {@code offload-curve.png} when the coordinator calibrated a threshold; returns whether it did. */
    static boolean plot(CoordinatorServer coordinator, Path dir) throws IOException {
        OffloadAdvisor advisor = coordinator.offloadAdvisor();
        if (advisor == null || advisor.latest().isEmpty()) {
            return false;
        }
        OffloadAdvisor.Calibration c = advisor.latest().get();
        Plots.offloadCurve(c.curves(), c.advice(), dir, "Offload curve: " + c.deviceModel() + " v"
                + c.deviceVersion() + " on device, " + c.advice().cloudModel() + " v" + c.advice().cloudVersion() + " in the cloud");
        return true;
    }

    private static Map<String, Object> calibration(OffloadAdvisor.Calibration c) {
        OffloadAdvice a = c.advice();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceModel", c.deviceModel());
        m.put("deviceVersion", c.deviceVersion());
        m.put("cloudModel", a.cloudModel());
        m.put("cloudVersion", a.cloudVersion());
        m.put("score", a.score().wireName());
        m.put("threshold", a.threshold());
        m.put("expectedOffloadRate", a.offloadRate());
        m.put("expectedHybridAccuracy", a.hybridAccuracy());
        m.put("localAccuracy", a.localAccuracy());
        m.put("cloudAccuracy", a.cloudAccuracy());
        Map<String, Object> at30 = new LinkedHashMap<>();
        for (ConfidenceScore s : ConfidenceScore.values()) {
            OffloadCalibration.Point p = OffloadCalibration.atMostRate(c.curves().get(s), 0.3);
            at30.put(s.wireName(), Map.of("offloadRate", p.offloadRate(), "hybridAccuracy", p.hybridAccuracy()));
        }
        m.put("eachScoreAtMost30PercentOffloaded", at30);
        return m;
    }
}
