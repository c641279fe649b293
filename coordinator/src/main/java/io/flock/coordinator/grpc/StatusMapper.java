package io.flock.coordinator.grpc;

import io.flock.coordinator.fleet.UnknownDeviceException;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.core.CapacityExceededException;
import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place domain errors become gRPC statuses. Descriptions say what was wrong; no stack traces go out. */
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
        } else if (t instanceof RoundClosedException) {
            status = Status.FAILED_PRECONDITION;
        } else if (t instanceof UnknownDeviceException) {
            status = Status.UNAUTHENTICATED;
        } else if (t instanceof ModelNotFoundException) {
            status = Status.NOT_FOUND;
        } else if (t instanceof FlockException) {
            status = Status.INTERNAL;
        } else {
            log.warn("unexpected error answered as INTERNAL", t);
            return Status.INTERNAL.withDescription("internal error").asRuntimeException();
        }
        return status.withDescription(t.getMessage()).asRuntimeException();
    }
}
