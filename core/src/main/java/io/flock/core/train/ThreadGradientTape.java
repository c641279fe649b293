package io.flock.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * Records the forward pass of the calling thread and back-propagates it. PyTorch's grad mode and
 * autograd are per thread, but DJL's own collector guards one process-wide flag, so trainings of
 * different models on different threads (many devices simulated in one JVM, or a device training
 * while the coordinator evaluates) would have to take turns. This tape keeps PyTorch's per-thread
 * rule instead: one open tape per thread, any number of threads. Not for sharing across threads.
 */
final class ThreadGradientTape implements GradientCollector {
    private final boolean wasRecording;

    ThreadGradientTape() {
        wasRecording = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    @Override
    public void backward(NDArray target) {
        NDArray seed = target.getManager().ones(target.getShape(), target.getDataType());
        JniUtils.backward((PtNDArray) target, (PtNDArray) seed, false, false);
    }

    /** Not supported: DJL's optimizer step already zeroes the gradients it consumes. */
    @Override
    public void zeroGradients() {
        throw new UnsupportedOperationException("gradients are zeroed by the optimizer step");
    }

    @Override
    public void close() {
        if (!wasRecording) {
            JniUtils.setGradMode(false);
        }
    }
}
