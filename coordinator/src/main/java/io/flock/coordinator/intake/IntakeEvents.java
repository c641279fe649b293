package io.flock.coordinator.intake;

/** What the intake tells the outside (metrics): each update accepted, and each refused with its reason. */
public interface IntakeEvents {
    /** Tells nothing. */
    IntakeEvents NONE = new IntakeEvents() {
        @Override
        public void accepted(String model) {
        }

        @Override
        public void rejected(RuntimeException reason) {
        }
    };

    /** An update was persisted and counted. */
    void accepted(String model);

    /** An update was refused with this error (its status is the client's answer). */
    void rejected(RuntimeException reason);
}
