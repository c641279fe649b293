package io.flock.simulator.fleet;

import com.google.protobuf.ByteString;
import io.flock.coordinator.round.RoundEngine;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.link.wire.SingleAnswer;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A hand-driven gRPC client that uploads exactly the bytes a test chooses, good or bad. */
final class RawDevice implements AutoCloseable {
    final ManagedChannel channel;
    final CoordinatorGrpc.CoordinatorStub stub;

    RawDevice(int port) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        stub = CoordinatorGrpc.newStub(channel);
    }

    static UpdateHeader.Builder header(String model, String device, long round, long baseVersion, long examples) {
        return UpdateHeader.newBuilder().setModel(model).setDeviceId(device).setTaskId(RoundEngine.taskId(model, round, device)).setRound(round)
                .setBaseVersion(baseVersion).setIdempotencyKey("r" + round + "-" + device + "/k").setNumExamples(examples)
                .setCodec(CodecDescriptor.newBuilder().setName("fp32"));
    }

    /** @return parameters shaped like {@code layout}, every value {@code value} */
    static ModelParameters filled(ModelParameters layout, float value) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : layout.tensors()) {
            float[] d = new float[t.size()];
            Arrays.fill(d, value);
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        return new ModelParameters(out);
    }

    UploadReceipt upload(UpdateHeader header, ModelParameters delta) throws Exception {
        return send(header, Codecs.FP32.encode(delta));
    }

    /** Streams the header (null = none) and the payload in 64 KiB chunks; rethrows the status. */
    UploadReceipt send(UpdateHeader header, byte[] payload) throws Exception {
        SingleAnswer<UploadReceipt> response = new SingleAnswer<>("upload ended without a receipt");
        CompletableFuture<UploadReceipt> result = response.future();
        StreamObserver<UpdateChunk> req = stub.withDeadlineAfter(20, TimeUnit.SECONDS).uploadUpdate(response);
        if (header != null) {
            req.onNext(UpdateChunk.newBuilder().setHeader(header).build());
        }
        for (int i = 0; i < payload.length; i += 65536) {
            req.onNext(UpdateChunk.newBuilder().setData(ByteString.copyFrom(payload, i, Math.min(65536, payload.length - i))).build());
        }
        req.onCompleted();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
