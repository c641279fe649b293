package io.flock.coordinator.store;

/**
 * A registered input set for batch predictions, as stored.
 *
 * @param name         the set's name (the key)
 * @param model        the model it is for
 * @param format       "csv" or "idx"
 * @param rows         rows it has
 * @param features     raw features per row
 * @param sha256       digest of the file as registered
 * @param sizeBytes    the file's length
 * @param registeredMs when it was registered, Unix ms
 * @param file         the file itself; null in listings
 */
public record InputSetRow(String name, String model, String format, int rows, int features, String sha256, long sizeBytes,
                          long registeredMs, byte[] file) {
}
