package io.flock.coordinator.grpc;

import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.TrainingEngine;
import io.flock.coordinator.secagg.SecureSession;
import io.flock.core.InvalidInputException;
import io.flock.link.wire.SecAggMessages;
import io.flock.proto.v1.SecAggReply;
import io.flock.proto.v1.SecAggRequest;
import io.flock.proto.v1.SecAggRevealAck;
import io.flock.proto.v1.SecAggShare;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The SecureAggregation call: checks the device's task in the open secure round, converts the stage's message to the
 * protocol's types and answers when the session's stage closes (no gRPC thread waits). Thread-safe.
 */
final class SecAggEndpoint {
    private final String model;
    private final TrainingEngine rounds;

    SecAggEndpoint(String model, TrainingEngine rounds) {
        this.model = model;
        this.rounds = rounds;
    }

    /** Answers {@code r} for {@code device} (already authenticated) on {@code out}, now or when its stage closes. */
    void handle(String device, SecAggRequest r, StreamObserver<SecAggReply> out) {
        CompletableFuture<SecAggReply> reply;
        try {
            reply = stage(device, r);
        } catch (Exception e) {
            out.onError(StatusMapper.toStatus(e));
            return;
        }
        reply.whenComplete((answer, failure) -> {
            if (failure != null) {
                out.onError(StatusMapper.toStatus(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure));
            } else {
                out.onNext(answer);
                out.onCompleted();
            }
        });
    }

    private CompletableFuture<SecAggReply> stage(String device, SecAggRequest r) {
        FieldLimits.require("model", r.getModel(), FieldLimits.MODEL);
        FieldLimits.require("task_id", r.getTaskId(), FieldLimits.TASK_ID);
        if (!model.equals(r.getModel())) {
            throw new ModelNotFoundException("no model named '" + FieldLimits.echo(r.getModel()) + "' aggregates here");
        }
        if (!RoundEngine.taskId(model, r.getRound(), device).equals(r.getTaskId())) {
            throw new RoundClosedException("no_task", "device " + device + " has no task '" + FieldLimits.echo(r.getTaskId()) + "' in round "
                    + r.getRound());
        }
        SecureSession session = rounds.secureSession(r.getRound());
        int index = session.index(device);
        return switch (r.getStageCase()) {
            case ADVERTISE -> session.advertise(device, r.getAdvertise().getEncryptionKey().toByteArray(),
                    r.getAdvertise().getMaskingKey().toByteArray()).thenApply(keys -> SecAggReply.newBuilder()
                    .setNeighbours(SecAggMessages.neighbours(keys)).build());
            case SHARE -> {
                for (SecAggShare s : r.getShare().getSharesList()) {
                    if (s.getFrom() != index) {
                        throw new InvalidInputException("a share from participant " + s.getFrom() + " sent by participant " + index);
                    }
                }
                yield session.share(device, SecAggMessages.shares(r.getShare())).thenApply(mine -> SecAggReply.newBuilder()
                        .setShares(SecAggMessages.shares(mine)).build());
            }
            case AWAIT_UNMASK -> session.awaitUnmask(device).thenApply(u -> SecAggReply.newBuilder().setUnmask(SecAggMessages.unmask(u)).build());
            case REVEAL -> CompletableFuture.completedFuture(SecAggReply.newBuilder().setRevealed(SecAggRevealAck.newBuilder()
                    .setRevealed(session.reveal(device, SecAggMessages.reveal(index, r.getReveal())))).build());
            default -> throw new InvalidInputException("a SecAggRequest needs a stage (advertise, share, await_unmask or reveal)");
        };
    }
}
