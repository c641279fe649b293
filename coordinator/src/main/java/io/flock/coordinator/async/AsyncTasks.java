package io.flock.coordinator.async;

import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.round.RoundClosedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The train tasks an asynchronous engine has out: each device holds at most one, named by the window it was sent in
 * ({@code RoundEngine.taskId}), with the version it trains and a deadline. A task ends when its update is accepted (it is
 * then remembered, with the idempotency key it was delivered under, so a retry is answered DUPLICATE), when the device
 * refuses it, or when it expires. Thread-safe.
 */
final class AsyncTasks {
    /** Answered tasks remembered for retries. */
    private static final int REMEMBERED = 100_000;

    /**
     * One task out.
     *
     * @param id          task id
     * @param deviceId    the device it was sent to
     * @param window      the window it was sent in (its round number on the wire)
     * @param baseVersion the version it trains
     * @param deadline    System.nanoTime() after which it expires
     */
    record Task(String id, String deviceId, long window, long baseVersion, long deadline) {
    }

    private final Map<String, Task> open = new HashMap<>();
    private final Map<String, String> keys = new HashMap<>();
    private final Map<String, String> answered = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    synchronized void sent(Task t) {
        open.put(t.id(), t);
    }

    /**
     * @return the open task the submission answers, or null when it repeats the accepted update of an answered task
     * @throws RoundClosedException     (no_task) for a task that is not out, expired or was sent to another device
     * @throws UpdateConflictException  for a second, different update of an answered task
     */
    synchronized Task require(UpdateSubmission s) {
        Task t = open.get(s.taskId());
        if (t == null) {
            String key = answered.get(s.taskId());
            if (key == null) {
                throw new RoundClosedException("no_task", "device " + s.deviceId() + " has no open task '" + FieldLimits.echo(s.taskId())
                        + "' (never sent, expired or refused)");
            }
            if (!key.equals(s.idempotencyKey())) {
                throw new UpdateConflictException("device " + s.deviceId() + " already delivered an update for task '"
                        + FieldLimits.echo(s.taskId()) + "' under another idempotency key");
            }
            return null;
        }
        if (!t.deviceId().equals(s.deviceId())) {
            throw new RoundClosedException("no_task", "task '" + FieldLimits.echo(s.taskId()) + "' was not sent to device " + s.deviceId());
        }
        keys.put(t.id(), s.idempotencyKey());
        return t;
    }

    /** @return the task, open or answered (null = answered), or throws no_task when it is neither any more */
    synchronized Task lookup(String id) {
        Task t = open.get(id);
        if (t == null && !answered.containsKey(id)) {
            throw new RoundClosedException("no_task", "task '" + id + "' expired or was refused while its update was decoded");
        }
        return t;
    }

    /** The task's update was accepted: it ends, remembered under the key its update came with. */
    synchronized void answered(Task t) {
        open.remove(t.id());
        answered.put(t.id(), keys.getOrDefault(t.id(), ""));
        keys.remove(t.id());
    }

    /** @return the task, removed, or null when it was not open */
    synchronized Task cancel(String id) {
        keys.remove(id);
        return open.remove(id);
    }

    /** @return the tasks past their deadline, removed */
    synchronized List<Task> expire(long now) {
        List<Task> out = new ArrayList<>();
        open.values().removeIf(t -> {
            if (now - t.deadline() > 0) {
                out.add(t);
                return true;
            }
            return false;
        });
        out.forEach(t -> keys.remove(t.id()));
        return out;
    }

    /** @return tasks out */
    synchronized int size() {
        return open.size();
    }
}
