package io.flock.coordinator.grpc;

import io.flock.coordinator.batch.BatchNotReadyException;
import io.flock.coordinator.batch.InputSetNotFoundException;
import io.flock.coordinator.fleet.UnknownDeviceException;
import io.flock.coordinator.intake.IntakeBusyException;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.serving.DeadlinePassedException;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place domain errors become gRPC statuses. Descriptions say what was wrong; no stack or database
 * text goes out: anything but a known domain error is answered INTERNAL "internal error" and logged.
 */
public final class StatusMapper {
    private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

    private StatusMapper() {
    }

    /** @return the status for an error thrown by the domain */
    public static StatusRuntimeException toStatus(Throwable t) {
        Status status;
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        } else if (t instanceof CapacityExceededException) {
            status = Status.RESOURCE_EXHAUSTED;
        } else if (t instanceof InvalidInputException) {
            status = Status.INVALID_ARGUMENT;
        } else if (t instanceof RoundClosedException || t instanceof io.flock.coordinator.rollout.RolloutStateException
                || t instanceof io.flock.core.secagg.StageClosedException) {
            status = Status.FAILED_PRECONDITION;
        } else if (t instanceof io.flock.coordinator.security.AccessDeniedException) {
            status = Status.PERMISSION_DENIED;
        } else if (t instanceof io.flock.coordinator.security.AlreadyEnrolledException) {
            status = Status.ALREADY_EXISTS;
        } else if (t instanceof UnknownDeviceException) {
            status = Status.UNAUTHENTICATED;
        } else if (t instanceof ModelNotFoundException || t instanceof InputSetNotFoundException) {
            status = Status.NOT_FOUND;
        } else if (t instanceof BatchNotReadyException) {
            status = Status.FAILED_PRECONDITION;
        } else if (t instanceof UpdateConflictException) {
            status = Status.ALREADY_EXISTS;
        } else if (t instanceof IntakeBusyException || t instanceof io.flock.coordinator.store.StoreUnavailableException) {
            status = Status.UNAVAILABLE;
        } else if (t instanceof DeadlinePassedException) {
            status = Status.DEADLINE_EXCEEDED;
        } else {
            // database and other internal errors: their text stays in the log, never on the wire
            log.warn("internal error answered as INTERNAL", t);
            return Status.INTERNAL.withDescription("internal error").asRuntimeException();
        }
        return status.withDescription(t.getMessage()).asRuntimeException();
    }

    /** Answers a unary call: the call's result, or its error as a status. */
    public static <T> void respond(StreamObserver<T> out, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (Exception e) {
            out.onError(toStatus(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
