package io.flock.agent.api;

import io.flock.agent.metrics.AnswerLatency;
import io.flock.agent.monitor.WindowStatistics;
import io.flock.agent.offload.Answer;
import io.flock.agent.offload.OffloadRouter;
import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.FeedbackRequest;
import io.flock.proto.v1.FeedbackResponse;
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
    private final WindowStatistics statistics;

    /**
     * @param router  decides local, offloaded or fallback
     * @param latency    records each answer's latency (the {@code latency_ms} the app is told)
     * @param statistics counts the true labels apps report
     */
    public LocalPredictionService(OffloadRouter router, AnswerLatency latency, WindowStatistics statistics) {
        this.router = router;
        this.latency = latency;
        this.statistics = statistics;
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
                .setFallbackReason(a.fallbackReason()).setPredictionId(a.predictionId()).build());
        out.onCompleted();
    }

    @Override
    public void feedback(FeedbackRequest request, StreamObserver<FeedbackResponse> out) {
        boolean counted;
        try {
            counted = statistics.feedback(request.getPredictionId(), request.getTrueLabel());
        } catch (InvalidInputException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        out.onNext(FeedbackResponse.newBuilder().setCounted(counted).setReason(counted ? ""
                : "prediction id '" + request.getPredictionId() + "' is unknown, too old or was reported already").build());
        out.onCompleted();
    }
}
