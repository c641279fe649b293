package io.flock.coordinator.grpc;

import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.Contribution;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateSink;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Digests;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;

/**
 * Receives one client-streamed update: the header first (its string fields checked against their limits
 * before anything else), then data chunks up to the size limit. Errors end the stream at once with a
 * status; nothing is stored.
 */
final class UploadReceiver implements StreamObserver<UpdateChunk> {
    private final UpdateSink sink;
    private final IntakeEvents events;
    private final long maxBytes;
    private final StreamObserver<UploadReceipt> response;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private UpdateHeader header;
    /** The device the update is for: the header's, bound to the caller's identity. */
    private String deviceId;
    private final java.util.function.UnaryOperator<String> actingFor;
    private final ByteBudget budget;
    private long reserved;
    private boolean failed;
    private boolean submitted;

    /**
     * @param events told of refusals the receiver itself makes (the sink reports its own)
     * @param budget bytes all streams in flight may hold; each chunk is reserved before it is kept
     * @param actingFor maps the header's device id to the device the caller acts for, or refuses it ({@link Callers})
     */
    UploadReceiver(UpdateSink sink, IntakeEvents events, ByteBudget budget, long maxBytes, java.util.function.UnaryOperator<String> actingFor,
                   StreamObserver<UploadReceipt> response) {
        this.actingFor = actingFor;
        this.sink = sink;
        this.budget = budget;
        this.events = events;
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
                UpdateHeader h = requireLimits(chunk.getHeader());
                deviceId = actingFor.apply(h.getDeviceId());
                header = h;
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
            budget.reserve(chunk.getData().size());
            reserved += chunk.getData().size();
            chunk.getData().writeTo(payload);
        } catch (Exception e) {
            fail(e);
        }
    }

    private static UpdateHeader requireLimits(UpdateHeader h) {
        FieldLimits.require("device_id", h.getDeviceId(), FieldLimits.DEVICE_ID);
        FieldLimits.require("model", h.getModel(), FieldLimits.MODEL);
        FieldLimits.require("task_id", h.getTaskId(), FieldLimits.TASK_ID);
        FieldLimits.require("idempotency_key", h.getIdempotencyKey(), FieldLimits.IDEMPOTENCY_KEY);
        FieldLimits.require("codec", h.getCodec().getName(), FieldLimits.CODEC);
        return h;
    }

    /** @return a gateway's contributions as the intake sees them (their fields checked there), empty for a device's own update */
    private static java.util.List<Contribution> contributions(UpdateHeader h) {
        java.util.List<Contribution> out = new java.util.ArrayList<>(h.getContributionsCount());
        for (io.flock.proto.v1.Contribution c : h.getContributionsList()) {
            out.add(new Contribution(c.getDeviceId(), c.getTaskId(), c.getNumExamples()));
        }
        return out;
    }

    @Override
    public void onError(Throwable t) {
        failed = true;
        giveBack();
    }

    /** Returns the stream's reservation once; the payload buffer is dropped with the receiver. */
    private void giveBack() {
        budget.release(reserved);
        reserved = 0;
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
            // the digest is checked once, here, and stored with the update (it outlives the dropped payload)
            String sha = Digests.sha256Hex(bytes);
            if (!header.getPayloadSha256().isEmpty() && !header.getPayloadSha256().equals(sha)) {
                throw new InvalidInputException("update payload does not match its payload_sha256");
            }
            submitted = true;
            Receipt r = sink.submit(new UpdateSubmission(deviceId, header.getModel(), header.getTaskId(), header.getRound(),
                    header.getBaseVersion(), header.getIdempotencyKey(), header.getNumExamples(), header.getCodec().getName(), bytes, sha,
                    contributions(header)));
            giveBack();
            response.onNext(UploadReceipt.newBuilder()
                    .setOutcome(r.outcome() == Receipt.Outcome.DUPLICATE ? UploadReceipt.Outcome.DUPLICATE : UploadReceipt.Outcome.ACCEPTED)
                    .setRound(r.round()).setAcceptedInRound(r.acceptedInRound()).build());
            response.onCompleted();
        } catch (Exception e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        failed = true;
        giveBack();
        if (!submitted && e instanceof RuntimeException re) {
            events.rejected(re);
        }
        response.onError(StatusMapper.toStatus(e));
    }
}
