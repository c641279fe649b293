package io.flock.agent.training;

import io.flock.core.data.Dataset;
import io.flock.core.tensor.ModelParameters;

/**
 * <b>Test-only.</b> Makes a simulated device misbehave inside the real agent's training path, so the simulator can run
 * byzantine devices (noise, sign-flipped or scaled updates, flipped labels) through the same code, transports and
 * coordinator intake as honest ones.
 *
 * <p>Only {@link io.flock.agent.EdgeAgent}'s constructor argument can set one: no {@code AgentConfig} key, YAML file,
 * environment variable or flag can, and {@code AgentMain} builds every real agent with {@link #NONE}.
 *
 * <p>Order of use: {@link #trainingData} once, when the worker first loads the device's private data; then
 * {@link #update} once per trained task, on the delta right before it is encoded and queued for upload. Calls come from
 * the device's training thread, one at a time. The data still never leaves the device.
 */
public interface UpdateTamper {
    /** Changes nothing: what every real agent runs. */
    UpdateTamper NONE = new UpdateTamper() {
        @Override
        public String toString() {
            return "none";
        }
    };

    /**
     * @param data the device's private training data, as loaded
     * @return the data to train on from now on; {@code data} itself to leave it alone
     */
    default Dataset trainingData(Dataset data) {
        return data;
    }

    /**
     * @param delta the trained update (trained minus base parameters); must not be mutated
     * @param round the task's round number, from 1
     * @return the update to encode and upload, with {@code delta}'s layout; {@code delta} itself to leave it alone
     */
    default ModelParameters update(ModelParameters delta, long round) {
        return delta;
    }
}
