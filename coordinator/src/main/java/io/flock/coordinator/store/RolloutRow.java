package io.flock.coordinator.store;

/**
 * A staged rollout as stored: enough to resume it at the same stage after a restart.
 *
 * @param id              rollout id, from the database (0 before it is stored)
 * @param model           model rolled out
 * @param version         the candidate version
 * @param previousVersion the production version when it started (what the control cohort runs, and a rollback returns to)
 * @param stages          cohort share of each stage in percent, comma-separated ("1,10,50,100")
 * @param stage           index of the current stage
 * @param status          RUNNING, PAUSED, COMPLETED, ROLLED_BACK or ABORTED
 * @param stageStartedMs  when the current stage began, Unix ms
 * @param soakMs          how long each stage soaks before it may advance
 * @param salt            the cohort hash salt
 * @param labels          the label selector, "k=v,k=v" ("" = any device)
 * @param lastDecision    the last decision, in words
 * @param startedMs       when the rollout started, Unix ms
 */
public record RolloutRow(long id, String model, long version, long previousVersion, String stages, int stage, String status,
                         long stageStartedMs, long soakMs, String salt, String labels, String lastDecision, long startedMs) {
}
