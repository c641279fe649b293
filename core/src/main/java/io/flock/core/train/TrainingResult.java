package io.flock.core.train;

/**
 * What one local training run did.
 *
 * @param examples samples seen per epoch (the FedAvg weight)
 * @param steps    optimiser steps taken
 * @param meanLoss mean training loss over the last epoch
 * @param seconds  wall time
 */
public record TrainingResult(int examples, int steps, double meanLoss, double seconds) {
}
