/**
 * Privacy-safe drift statistics. An edge agent summarises each telemetry window in a {@link
 * io.flock.core.stats.DriftSketch}: counts of {@link io.flock.core.stats.InputProjections} values per {@link
 * io.flock.core.stats.BinEdges} bin, predicted labels, confidence bins and feedback errors; no input and no single
 * value leaves the device. The coordinator compares a window's counts with a reference's by {@link
 * io.flock.core.stats.Psi} and {@link io.flock.core.stats.ChiSquare}, and follows feedback error rates with a {@link
 * io.flock.core.stats.DdmDetector}.
 */
package io.flock.core.stats;
