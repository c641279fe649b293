package io.flock.coordinator.rollout;

/** Where a staged rollout stands. RUNNING and PAUSED are active: the model has at most one active rollout. */
public enum RolloutStatus {
    /** Its cohort runs the candidate; gates are judged each health window; stages advance after their soak. */
    RUNNING,
    /** Held by an operator at its stage: the cohort keeps the candidate, nothing is judged or advanced. */
    PAUSED,
    /** The candidate reached every device and became production. */
    COMPLETED,
    /** A gate failed or an operator rolled back: the cohort returned to the previous version. */
    ROLLED_BACK,
    /** An operator stopped it: the cohort returned to the production version. */
    ABORTED;

    /** @return whether the rollout still holds a cohort */
    public boolean active() {
        return this == RUNNING || this == PAUSED;
    }
}
