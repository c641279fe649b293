package io.flock.core.secagg;

/** Where a {@link SecAggServer} is: the stage whose inputs it accepts, or the end it reached. */
public enum Stage {
    /** Collecting {@link KeyAdvertisement}s. */
    ADVERTISE,
    /** Collecting {@link EncryptedShare} bundles. */
    SHARE,
    /** Collecting masked vectors. */
    MASK,
    /** Collecting {@link Reveal}s. */
    UNMASK,
    /** The sum was returned. */
    DONE,
    /** A close found too few participants or shares; no sum. */
    ABORTED
}
