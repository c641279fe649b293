package io.flock.agent.training;

import io.flock.agent.artifact.ModelUpdater;
import io.flock.core.InvalidInputException;
import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Distillation;
import io.flock.core.train.LocalTrainer;
import io.flock.core.train.SoftTargets;
import io.flock.proto.v1.ModelAnnouncement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On-device soft targets for knowledge distillation: fetches the teacher a train task names (verified as a pushed
 * artifact is), runs it once over the device's own data with the teacher's own feature pipeline, softens its
 * probabilities at the task's temperature and keeps them while the teacher version and temperature stay the same.
 * The teacher's outputs, like the data, never leave the device; the model is closed as soon as they are computed.
 * Used from the training thread only.
 */
final class TeacherTargets {
    private static final Logger log = LoggerFactory.getLogger(TeacherTargets.class);
    private final String deviceId;
    private final ModelUpdater updater;
    private String key = "";
    private float[] targets;

    TeacherTargets(String deviceId, ModelUpdater updater) {
        this.deviceId = deviceId;
        this.updater = updater;
    }

    /**
     * @param student the student's spec: the teacher must take the same inputs and give the same classes
     * @return the soft targets of every row of {@code data}
     * @throws InvalidInputException when the teacher does not fit the student
     * @throws io.flock.core.artifact.ArtifactRejectedException when the teacher's artifact fails its checks
     */
    SoftTargets targets(ModelAnnouncement teacher, Distillation distillation, ModelSpec student, Dataset data, Duration timeout) {
        ModelSpec spec = ModelSpec.parse(teacher.getSpec());
        if (spec.inputSize() != student.inputSize() || spec.classes() != student.classes()) {
            throw new InvalidInputException("teacher " + spec + " does not fit student " + student + " (inputs and classes must match)");
        }
        String k = teacher.getSha256() + "@" + distillation.temperature() + "/" + data.size();
        if (!k.equals(key)) {
            long start = System.nanoTime();
            ModelParameters p = updater.fetchVerified(teacher, timeout);
            targets = softTargets(spec, p, FeaturePipeline.parse(teacher.getFeaturePipeline()), data, distillation);
            key = k;
            log.info("device={} computed soft targets of teacher model={} version={} ({}) on {} own examples at T={} in {} ms",
                    deviceId, teacher.getModel(), teacher.getVersion(), spec, data.size(), distillation.temperature(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return new SoftTargets(distillation, targets, spec.classes());
    }

    private static float[] softTargets(ModelSpec spec, ModelParameters p, FeaturePipeline pipeline, Dataset data, Distillation d) {
        float[] out;
        try (InferenceModel teacher = InferenceModel.forDevice(spec, "teacher")) {
            teacher.load(p);
            out = LocalTrainer.probabilities(teacher, data, pipeline);
        }
        d.soften(out, spec.classes());
        return out;
    }
}
