package io.flock.coordinator.serving;

import io.flock.core.config.ConfigException;
import java.time.Duration;

/**
 * Dynamic batching settings, with what other servers call them.
 *
 * @param maxBatch      rows one forward pass takes at most (Triton {@code max_batch_size}, TF Serving
 *                      {@code max_batch_size}, DJL Serving {@code batch_size})
 * @param maxDelay      how long a worker waits for a batch to fill after its first request (Triton
 *                      {@code max_queue_delay_microseconds}, TF Serving {@code batch_timeout_micros}, DJL Serving
 *                      {@code max_batch_delay})
 * @param workers       threads that each drain the queue and run their own batches (Triton {@code instance_group.count},
 *                      TF Serving {@code num_batch_threads}, DJL Serving {@code min_worker}/{@code max_worker})
 * @param queueCapacity requests waiting at most; past it a request is refused at once (Triton
 *                      {@code max_queue_size}, TF Serving {@code max_enqueued_batches} x batch size, DJL Serving
 *                      {@code job_queue_size})
 */
public record BatchingConfig(int maxBatch, Duration maxDelay, int workers, int queueCapacity) {
    /** Validates the ranges, naming the key. */
    public BatchingConfig {
        ConfigException.require(maxBatch >= 1 && maxBatch <= 4096, "serving.max-batch", maxBatch);
        ConfigException.require(!maxDelay.isNegative() && maxDelay.compareTo(Duration.ofSeconds(1)) <= 0, "serving.max-delay", maxDelay);
        ConfigException.require(workers >= 1 && workers <= 64, "serving.workers", workers);
        ConfigException.require(queueCapacity >= maxBatch, "serving.queue-capacity", queueCapacity + " (at least serving.max-batch)");
    }
}
