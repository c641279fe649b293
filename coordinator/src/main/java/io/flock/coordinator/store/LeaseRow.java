package io.flock.coordinator.store;

/**
 * A model's lease as stored: which replica runs the model's training loop, until when, and under which fencing token.
 *
 * @param model     the model the lease is for
 * @param holder    the replica holding it ("" once released)
 * @param expiresMs when it expires unless renewed, Unix ms by the holder's clock
 * @param epoch     the fencing token, from 1: each new holder gets the previous epoch plus one, a renewal keeps it
 */
public record LeaseRow(String model, String holder, long expiresMs, long epoch) {
}
