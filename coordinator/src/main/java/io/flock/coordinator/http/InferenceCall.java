package io.flock.coordinator.http;

import io.flock.coordinator.serving.DeadlinePassedException;
import io.flock.coordinator.serving.ModelServing;
import io.flock.core.model.Prediction;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One infer request's rows in flight. Each row goes through {@link ModelServing#predict} with the request's deadline,
 * so rows batch with every other caller's and hit the same cache. The result completes when every row is answered,
 * at the first row that fails, or at the deadline, whichever comes first. Confined to the connection's event loop:
 * row answers are handed to it, so a serving worker never runs this code or blocks on it.
 */
final class InferenceCall {
    private final Prediction[] answers;
    private final CompletableFuture<List<Prediction>> result = new CompletableFuture<>();
    private int pending;

    private InferenceCall(int rows) {
        this.answers = new Prediction[rows];
        this.pending = rows;
    }

    /**
     * Submits the rows; call on {@code loop}.
     *
     * @param model   the name the caller asked for
     * @param rows    N >= 1 rows of raw features
     * @param timeout the request's deadline from now: the deadline passed to serving, and a 504 when it passes first
     * @param loop    the connection's event loop, where answers are gathered
     * @throws RequestRejectedException (413) for more rows than the serving queue holds
     * @return the answers in row order; fails with the first error (thrown by {@code predict} or carried by a row's
     *         future), or with {@link DeadlinePassedException} at the deadline
     */
    static CompletableFuture<List<Prediction>> start(ModelServing serving, String model, float[][] rows, Duration timeout, EventLoop loop) {
        int capacity = serving.queue().capacity();
        if (rows.length > capacity) { // such a request could never be queued whole: a retry would fail the same way
            throw new RequestRejectedException(io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, rows.length
                    + " rows in one request; serving.queue-capacity=" + capacity + " rows may wait at once, so send at most that many");
        }
        InferenceCall call = new InferenceCall(rows.length);
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledFuture<?> timer = loop.schedule(() -> call.result.completeExceptionally(new DeadlinePassedException("no answer within"
                + " http.request-timeout=" + timeout.toMillis() + "ms; the rows still waiting are dropped")),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        call.result.whenComplete((r, e) -> timer.cancel(false));
        try {
            for (int i = 0; i < rows.length; i++) {
                int row = i;
                CompletableFuture<Prediction> answer = serving.predict(model, rows[i], deadline);
                if (answer.isCompletedExceptionally()) { // refused at once (queue full): submit no more rows
                    answer.whenComplete((p, e) -> call.result.completeExceptionally(e));
                    break;
                }
                answer.whenCompleteAsync((p, e) -> call.answer(row, p, e), loop);
            }
        } catch (RuntimeException e) {
            call.result.completeExceptionally(e);
        }
        return call.result;
    }

    private void answer(int row, Prediction p, Throwable error) {
        if (error != null) {
            result.completeExceptionally(error);
            return;
        }
        answers[row] = p;
        if (--pending == 0) {
            result.complete(Arrays.asList(answers));
        }
    }
}
