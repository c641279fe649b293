package io.flock.coordinator.registry;

/**
 * Told when a version becomes a model's production version (a promotion or a rollback): serving loads it,
 * the announcer pushes it to devices. Called on the promoting thread, in registration order; a listener
 * that fails is logged and does not stop the others or undo the promotion.
 */
public interface VersionListener {
    /**
     * @param version  the new production version
     * @param previous the production version it replaces, 0 when none
     */
    void promoted(ModelVersion version, long previous);
}
