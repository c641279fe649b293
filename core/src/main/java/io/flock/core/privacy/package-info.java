/**
 * Differential privacy for federated rounds (DP-FedAvg / DP-SGD). Order of use in a round: clip each
 * contribution with {@link io.flock.core.privacy.L2Clip}, sum, add {@link io.flock.core.privacy.GaussianNoise}
 * with std = noise multiplier x clip norm, then {@link io.flock.core.privacy.RdpAccountant#compose} the step and
 * read {@link io.flock.core.privacy.RdpAccountant#epsilon(double)}. {@link io.flock.core.privacy.NoiseCalibration}
 * picks the noise multiplier for a budget before training.
 */
package io.flock.core.privacy;
