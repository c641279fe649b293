package io.flock.simulator.compress;

import io.flock.core.model.ModelSpec;
import io.flock.core.train.Distillation;

/**
 * The distillation rows of {@code bin/flock compress}: a teacher trained federated in the study's fleet, then the same
 * compact student trained twice with the same rounds, data and seed, once on labels alone and once learning from the
 * teacher's soft targets too (computed on each device from its own data).
 *
 * @param teacher      the teacher's network (e.g. the CNN)
 * @param student      the student's network (a compact MLP)
 * @param distillation temperature and mixing weight
 */
public record DistillationPlan(ModelSpec teacher, ModelSpec student, Distillation distillation) {
    /** The plan {@code bin/flock compress} runs unless told otherwise. */
    public static final DistillationPlan DEFAULT = new DistillationPlan(ModelSpec.parse("cnn:28x28-16-32-128-10"),
            ModelSpec.parse("mlp:784-64-10"), new Distillation(4f, 0.5f));
}
