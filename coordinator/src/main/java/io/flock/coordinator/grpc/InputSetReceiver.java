package io.flock.coordinator.grpc;

import io.flock.coordinator.batch.InputSets;
import io.flock.coordinator.wire.BatchMessages;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.InputSetHeader;
import io.flock.proto.v1.InputSetInfo;
import io.flock.proto.v1.InputSetPart;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;

/**
 * Receives one client-streamed input set: the header first, then the file in chunks up to batch.max-set-bytes (a
 * stream past it ends at once with RESOURCE_EXHAUSTED). The set is checked and stored only when the stream completes;
 * on any error nothing is stored.
 */
final class InputSetReceiver implements StreamObserver<InputSetPart> {
    private final InputSets sets;
    private final StreamObserver<InputSetInfo> response;
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();
    private InputSetHeader header;
    private boolean failed;

    InputSetReceiver(InputSets sets, StreamObserver<InputSetInfo> response) {
        this.sets = sets;
        this.response = response;
    }

    @Override
    public void onNext(InputSetPart part) {
        if (failed) {
            return;
        }
        try {
            if (part.hasHeader()) {
                if (header != null) {
                    throw new InvalidInputException("input set stream has a second header");
                }
                header = part.getHeader();
                if (header.getSizeBytes() > sets.maxSetBytes()) {
                    throw new CapacityExceededException("input set announces " + header.getSizeBytes() + " bytes, over batch.max-set-bytes="
                            + sets.maxSetBytes());
                }
                return;
            }
            if (header == null) {
                throw new InvalidInputException("input set stream must start with a header");
            }
            if (file.size() + (long) part.getData().size() > sets.maxSetBytes()) {
                throw new CapacityExceededException("input set stream exceeds batch.max-set-bytes=" + sets.maxSetBytes());
            }
            part.getData().writeTo(file);
        } catch (Exception e) {
            fail(e);
        }
    }

    @Override
    public void onError(Throwable t) {
        failed = true;
    }

    @Override
    public void onCompleted() {
        if (failed) {
            return;
        }
        try {
            if (header == null) {
                throw new InvalidInputException("input set stream had no header");
            }
            byte[] bytes = file.toByteArray();
            if (header.getSizeBytes() != 0 && header.getSizeBytes() != bytes.length) {
                throw new InvalidInputException("input set header announces " + header.getSizeBytes() + " bytes, stream had " + bytes.length);
            }
            InputSetInfo info = BatchMessages.info(sets.register(header.getName(), header.getModel(), header.getFormat(), bytes));
            response.onNext(info);
            response.onCompleted();
        } catch (Exception e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        failed = true;
        response.onError(StatusMapper.toStatus(e));
    }
}
