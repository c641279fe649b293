package io.flock.core.secagg;

/** What the server did with an accepted input. Refused inputs throw instead. */
public enum Receipt {
    /** The first input of this kind from this participant; recorded. */
    ACCEPTED,
    /** Identical to one already recorded (a replay); nothing changed. */
    DUPLICATE
}
