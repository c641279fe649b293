package io.flock.core.train;

import io.flock.core.InvalidInputException;

/**
 * A teacher's soft targets for every row of one dataset, and the distillation loss to train on them. On a device they
 * are computed from its own data and never leave it.
 *
 * @param distillation the loss settings (temperature, mixing weight)
 * @param targets      {@code rows * classes} soft targets, row-major, in the dataset's row order
 * @param classes      classes per row
 */
public record SoftTargets(Distillation distillation, float[] targets, int classes) {
    /** Validates the shape. */
    public SoftTargets {
        if (classes < 1 || targets.length % classes != 0) {
            throw new InvalidInputException("soft targets of " + targets.length + " values do not split into rows of " + classes);
        }
    }

    /** @throws InvalidInputException unless there is one row of {@code classes} targets per dataset row */
    void requireCovers(int rows, int studentClasses) {
        if (studentClasses != classes || targets.length != (long) rows * classes) {
            throw new InvalidInputException("soft targets for " + targets.length / classes + " rows of " + classes
                    + " classes do not cover " + rows + " rows of " + studentClasses);
        }
    }
}
