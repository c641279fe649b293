package io.flock.coordinator.store;

/**
 * One statistic of one telemetry window compared with the reference, as stored.
 *
 * @param model       model whose fleet reported it
 * @param windowEndMs when the window closed, Unix ms
 * @param cohort      "fleet" or a cohort ("hardware=rpi4", "canary")
 * @param statistic   a projection's name, "label-mix", "confidence" or "error-rate"
 * @param value       effect size: PSI, or the DDM level for error-rate (NaN before it has seen enough feedback)
 * @param pValue      the test's p-value; for error-rate (DDM gives none) the window's error rate
 * @param samples     answers the window counted in that cohort
 * @param alarm       whether it raised a drift alarm
 */
public record DriftRow(String model, long windowEndMs, String cohort, String statistic, double value, double pValue, long samples,
                       boolean alarm) {
}
