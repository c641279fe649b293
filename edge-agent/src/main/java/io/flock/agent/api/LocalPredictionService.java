package io.flock.agent.api;

import io.flock.agent.metrics.AnswerLatency;
import io.flock.agent.offload.Answer;
import io.flock.agent.offload.OffloadRouter;
import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.LocalPredictionGrpc;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** The device's local prediction API for apps (gRPC on localhost). Every answer says where it came from. */
public final class LocalPredictionService extends LocalPredictionGrpc.LocalPredictionImplBase {
    private final OffloadRouter router;
    private final AnswerLatency latency;

    /**
     * @param router  decides local, offloaded or fallback
     * @param latency records each answer's latency (the {@code latency_ms} the app is told)
     */
    public LocalPredictionService(OffloadRouter router, AnswerLatency latency) {
        this.router = router;
        this.latency = latency;
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        Answer a;
        try {
            a = router.answer(PredictionMessages.features(request));
        } catch (InvalidInputException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (FlockException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        latency.record(a.latencyMs());
        out.onNext(PredictionMessages.response(a.prediction(), PredictResponse.Source.valueOf(a.source().name()), a.latencyMs())
                .setFallbackReason(a.fallbackReason()).build());
        out.onCompleted();
    }
}
