package io.flock.link.wire;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The one answer of a client-streaming gRPC call, as a future: it completes with the answer, or with the call's error
 * status, and a call that ends without an answer fails it with an {@link IllegalStateException} saying so. The one copy
 * for every caller that streams a request up (update uploads, input-set registrations). Thread-safe.
 *
 * @param <T> the answer's message type
 */
public final class SingleAnswer<T> implements StreamObserver<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final String missing;

    /** @param missing what failing the future says when the call ends without an answer */
    public SingleAnswer(String missing) {
        this.missing = missing;
    }

    /** @return the answer, or the call's failure */
    public CompletableFuture<T> future() {
        return result;
    }

    @Override
    public void onNext(T value) {
        result.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        result.completeExceptionally(new IllegalStateException(missing)); // no effect once answered
    }
}
