package io.flock.coordinator.batch;

/**
 * A registered input set: raw inputs known in advance, whose predictions the coordinator precomputes.
 *
 * @param name         the set's name: 1-128 of {@code A-Z a-z 0-9 . _ -} (a device keeps it as a file name)
 * @param model        the model it is for (the device model, or the cloud model that answers for it)
 * @param format       the file's format
 * @param rows         rows, >= 1
 * @param features     raw features per row (the model's input size)
 * @param sha256       digest of the file as registered
 * @param sizeBytes    the file's length
 * @param registeredMs when it was registered, Unix ms
 * @param computed     what its stored predictions were computed with; null while none are stored
 */
public record InputSet(String name, String model, InputFormat format, int rows, int features, String sha256, long sizeBytes,
                       long registeredMs, Computed computed) {
    /**
     * @param model         the model that computed the predictions
     * @param version       its version
     * @param deviceVersion the device model's production version they stand for
     * @param computedMs    when, Unix ms
     */
    public record Computed(String model, long version, long deviceVersion, long computedMs) {
    }
}
