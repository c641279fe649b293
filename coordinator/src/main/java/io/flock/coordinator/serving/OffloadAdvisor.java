package io.flock.coordinator.serving;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.config.ConfigException;
import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.OffloadAdvice;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.LocalTrainer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calibrates the device model's offload threshold against the cloud model that answers its offloads, on a held-out
 * calibration set: which examples the cloud model gets right (once per cloud version), the device model's
 * probabilities (per device version, as devices run it: the pushed variant decoded), and for every
 * {@link ConfidenceScore} the {@link OffloadCalibration} curve. The {@link Target} picks one point per score, and the
 * score that serves the target best wins. Thread-safe (calls are serialised).
 */
public final class OffloadAdvisor {
    /**
     * What a calibration aims at: the lowest offload rate whose hybrid accuracy is within {@code withinPoints} of the
     * cloud model's with {@code errorMargin} standard errors of the calibration set's gap to spare, but never more than
     * {@code maxRate} offloaded (then the best point at that rate).
     *
     * @param maxRate      the largest share of requests to offload, 0..1
     * @param withinPoints accuracy points (0..100) the hybrid may lose against the cloud model
     * @param errorMargin  standard errors to spare, 0..5: the lowest rate that reaches the target on the calibration set
     *                     alone is chosen for its luck there and falls short on other data
     */
    public record Target(double maxRate, double withinPoints, double errorMargin) {
        /** Validates the ranges. */
        public Target {
            ConfigException.require(maxRate >= 0 && maxRate <= 1, "serving.offload.max-rate", maxRate);
            ConfigException.require(withinPoints >= 0 && withinPoints <= 100, "serving.offload.within-points",
                    withinPoints);
            ConfigException.require(errorMargin >= 0 && errorMargin <= 5, "serving.offload.error-margin",
                    errorMargin);
        }
    }

    /** A calibration: the advice shipped to devices, and every score's curve behind it. */
    public record Calibration(String deviceModel, long deviceVersion, OffloadAdvice advice,
                              Map<ConfidenceScore, List<OffloadCalibration.Point>> curves) {
    }

    private static final Logger log = LoggerFactory.getLogger(OffloadAdvisor.class);
    private final Dataset calibration;
    private final int[] labels;
    private final Target target;
    private String cloudModel;
    private long cloudVersion;
    private boolean[] cloudCorrect;
    private double cloudAccuracy;
    private volatile Calibration latest;

    /**
     * @param calibration labelled examples no device trains on
     * @param target      what the threshold aims at
     */
    public OffloadAdvisor(Dataset calibration, Target target) {
        this.calibration = calibration;
        this.labels = calibration.labels();
        this.target = target;
    }

    /** Scores the cloud model that answers offloads from now on (its version's fp32 parameters, as serving runs it). */
    public synchronized void cloud(ModelVersion version, ModelParameters parameters) {
        float[] p = probabilities(version.spec(), version.pipeline(), parameters, "calibration-cloud");
        int classes = ModelSpec.parse(version.spec()).classes();
        cloudCorrect = new boolean[labels.length];
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            cloudCorrect[i] = LocalTrainer.argmax(p, i * classes, classes) == labels[i];
            right += cloudCorrect[i] ? 1 : 0;
        }
        cloudModel = version.model();
        cloudVersion = version.version();
        cloudAccuracy = (double) right / labels.length;
        log.info("offload calibration: cloud model={} version={} accuracy={} on {} calibration examples", cloudModel, cloudVersion,
                String.format("%.4f", cloudAccuracy), labels.length);
    }

    /**
     * @param version    a device-model version
     * @param parameters the parameters devices run for it (its pushed variant, decoded)
     * @return its calibration; empty before a cloud model is scored
     */
    public synchronized Optional<Calibration> calibrate(ModelVersion version, ModelParameters parameters) {
        if (cloudCorrect == null) {
            return Optional.empty();
        }
        ModelSpec spec = ModelSpec.parse(version.spec());
        float[] device = probabilities(version.spec(), version.pipeline(), parameters, "calibration-device");
        Map<ConfidenceScore, List<OffloadCalibration.Point>> curves = new EnumMap<>(ConfidenceScore.class);
        ConfidenceScore best = null;
        OffloadCalibration.Point bestPoint = null;
        for (ConfidenceScore s : ConfidenceScore.values()) {
            List<OffloadCalibration.Point> curve = OffloadCalibration.curve(device, spec.classes(), labels, cloudCorrect, s);
            curves.put(s, curve);
            OffloadCalibration.Point p = pick(curve);
            if (bestPoint == null || better(p, bestPoint)) {
                best = s;
                bestPoint = p;
            }
        }
        OffloadAdvice advice = new OffloadAdvice(best, bestPoint.threshold(), bestPoint.offloadRate(), bestPoint.hybridAccuracy(),
                curves.get(best).get(0).hybridAccuracy(), cloudAccuracy, cloudModel, cloudVersion);
        latest = new Calibration(version.model(), version.version(), advice, curves);
        log.info("offload calibrated model={} version={} score={} threshold={} offload={} hybrid={} local={} cloud={} ({})", version.model(),
                version.version(), best.wireName(), String.format("%.4f", advice.threshold()), String.format("%.3f", advice.offloadRate()),
                String.format("%.4f", advice.hybridAccuracy()), String.format("%.4f", advice.localAccuracy()),
                String.format("%.4f", cloudAccuracy), others(curves));
        return Optional.of(latest);
    }

    /**
     * The advice for a device-model version: the last calibration when it was for this version and the current cloud
     * version, else a new one. Never fails: a calibration that cannot run is logged and gives no advice.
     *
     * @param parameters the parameters devices run for it, asked for only when a calibration runs
     * @return the advice, empty before a cloud model is scored or when the calibration failed
     */
    public synchronized Optional<OffloadAdvice> advise(ModelVersion version, Supplier<ModelParameters> parameters) {
        if (cloudCorrect == null) {
            return Optional.empty();
        }
        Calibration c = latest;
        if (c != null && c.deviceModel().equals(version.model()) && c.deviceVersion() == version.version()
                && c.advice().cloudModel().equals(cloudModel) && c.advice().cloudVersion() == cloudVersion) {
            return Optional.of(c.advice());
        }
        try {
            return calibrate(version, parameters.get()).map(Calibration::advice);
        } catch (RuntimeException e) {
            log.warn("offload calibration of model={} version={} failed, announced without advice: {}", version.model(), version.version(),
                    e.toString());
            return Optional.empty();
        }
    }

    /** @return the last calibration, empty before the first */
    public Optional<Calibration> latest() {
        return Optional.ofNullable(latest);
    }

    /** @return the target's point of one curve */
    OffloadCalibration.Point pick(List<OffloadCalibration.Point> curve) {
        OffloadCalibration.Point p = OffloadCalibration.lowestRateWithin(curve, cloudAccuracy, target.withinPoints(), target.errorMargin());
        return p.offloadRate() <= target.maxRate() ? p : OffloadCalibration.atMostRate(curve, target.maxRate());
    }

    /** A point that meets the accuracy target beats one that does not; among those that meet it, the lower rate wins, else the higher accuracy. */
    private boolean better(OffloadCalibration.Point a, OffloadCalibration.Point b) {
        boolean meetsA = a.within(cloudAccuracy, target.withinPoints(), target.errorMargin());
        boolean meetsB = b.within(cloudAccuracy, target.withinPoints(), target.errorMargin());
        if (meetsA != meetsB) {
            return meetsA;
        }
        return meetsA ? a.offloadRate() < b.offloadRate() : a.hybridAccuracy() > b.hybridAccuracy();
    }

    private String others(Map<ConfidenceScore, List<OffloadCalibration.Point>> curves) {
        List<String> out = new ArrayList<>();
        curves.forEach((s, c) -> {
            OffloadCalibration.Point p = pick(c);
            out.add(String.format("%s: offload %.3f hybrid %.4f", s.wireName(), p.offloadRate(), p.hybridAccuracy()));
        });
        return String.join("; ", out);
    }

    private float[] probabilities(String spec, String pipeline, ModelParameters parameters, String name) {
        try (InferenceModel m = InferenceModel.forDevice(ModelSpec.parse(spec), name)) {
            m.load(parameters);
            return LocalTrainer.probabilities(m, calibration, FeaturePipeline.parse(pipeline));
        }
    }
}
