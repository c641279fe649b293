package io.flock.agent.training;

import io.flock.proto.v1.TrainTask;

/** Where a refused train task is reported: the coordinator, over {@code Coordinator.RejectTask}. */
@FunctionalInterface
public interface TaskRejections {
    /** Reports nowhere. */
    TaskRejections NONE = (task, reason) -> {
    };

    /**
     * Called once per refused task, on the training thread; must not throw.
     *
     * @param reason names the plan field and its value, at most 1,024 characters
     */
    void rejected(TrainTask task, String reason);
}
