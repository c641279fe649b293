package io.flock.simulator.report;

/**
 * One round in a report (field names are the report contract of BENCHMARKS.md).
 *
 * @param round        round number, from 1
 * @param accuracy     held-out accuracy after the round
 * @param loss         held-out loss after the round
 * @param seconds      wall time of the round, push included
 * @param participants updates aggregated
 * @param failures     selected devices without an accepted update
 * @param bytesDown    payload bytes devices received (MQTT + gRPC) during the round
 * @param bytesUp      payload bytes devices sent (MQTT + gRPC) during the round
 * @param epsilon      differential privacy spent after the round (ε at the coordinator's privacy.delta), NaN without it
 * @param elapsed      wall time from the start of training to the round's version (what time-to-accuracy is read off;
 *                     between two asynchronous versions devices keep training, so it is not the sum of {@code seconds}),
 *                     NaN when not measured
 */
public record RoundRow(long round, double accuracy, double loss, double seconds, int participants, int failures,
                       long bytesDown, long bytesUp, double epsilon, double elapsed) {
    /** A round without differential privacy. */
    public RoundRow(long round, double accuracy, double loss, double seconds, int participants, int failures, long bytesDown, long bytesUp) {
        this(round, accuracy, loss, seconds, participants, failures, bytesDown, bytesUp, Double.NaN, Double.NaN);
    }
}
