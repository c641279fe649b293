package io.flock.coordinator.grpc;

import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.UpdateSubmission;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Digests;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;

/**
 * Receives one client-streamed update: the header first, then data chunks up to the size limit.
 * Errors end the stream at once with a status; the round is unaffected.
 */
final class UploadReceiver implements StreamObserver<UpdateChunk> {
    private final RoundEngine rounds;
    private final long maxBytes;
    private final StreamObserver<UploadReceipt> response;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private UpdateHeader header;
    private boolean failed;

    UploadReceiver(RoundEngine rounds, long maxBytes, StreamObserver<UploadReceipt> response) {
        this.rounds = rounds;
        this.maxBytes = maxBytes;
        this.response = response;
    }

    @Override
    public void onNext(UpdateChunk chunk) {
        if (failed) {
            return;
        }
        try {
            if (chunk.hasHeader()) {
                if (header != null) {
                    throw new InvalidInputException("update stream has a second header");
                }
                header = chunk.getHeader();
                if (header.getPayloadBytes() > maxBytes) {
                    throw new CapacityExceededException("update announces " + header.getPayloadBytes()
                            + " bytes, over limits.max-update-bytes=" + maxBytes);
                }
                return;
            }
            if (header == null) {
                throw new InvalidInputException("update stream must start with a header");
            }
            if (payload.size() + (long) chunk.getData().size() > maxBytes) {
                throw new CapacityExceededException("update stream exceeds limits.max-update-bytes=" + maxBytes);
            }
            chunk.getData().writeTo(payload);
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
                throw new InvalidInputException("update stream had no header");
            }
            byte[] bytes = payload.toByteArray();
            if (header.getPayloadBytes() != 0 && header.getPayloadBytes() != bytes.length) {
                throw new InvalidInputException("update header announces " + header.getPayloadBytes() + " bytes, stream had " + bytes.length);
            }
            if (!header.getPayloadSha256().isEmpty() && !header.getPayloadSha256().equals(Digests.sha256Hex(bytes))) {
                throw new InvalidInputException("update payload does not match its payload_sha256");
            }
            int count = rounds.submit(new UpdateSubmission(header.getDeviceId(), header.getTaskId(), header.getRound(),
                    header.getBaseVersion(), header.getIdempotencyKey(), header.getNumExamples(), header.getCodec().getName(), bytes));
            response.onNext(UploadReceipt.newBuilder()
                    .setOutcome(count < 0 ? UploadReceipt.Outcome.DUPLICATE : UploadReceipt.Outcome.ACCEPTED)
                    .setRound(header.getRound()).setAcceptedInRound(Math.max(count, 0)).build());
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
