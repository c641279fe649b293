package io.flock.coordinator.grpc;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import java.util.concurrent.atomic.AtomicLong;

/** Counts gRPC bytes as they cross the wire (after framing), in and out. Thread-safe. */
public final class TrafficMeter extends ServerStreamTracer.Factory {
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong out = new AtomicLong();

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new ServerStreamTracer() {
            @Override
            public void inboundWireSize(long bytes) {
                in.addAndGet(bytes);
            }

            @Override
            public void outboundWireSize(long bytes) {
                out.addAndGet(bytes);
            }
        };
    }

    /** @return bytes received from clients so far */
    public long bytesIn() {
        return in.get();
    }

    /** @return bytes sent to clients so far */
    public long bytesOut() {
        return out.get();
    }
}
