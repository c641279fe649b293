package io.flock.agent.link;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link WireTap} that counts payload bytes per direction and forwards every payload to another tap. */
public final class ByteCounter implements WireTap {
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong out = new AtomicLong();
    private final WireTap next;

    /** @param next also sees every payload; {@link WireTap#NONE} for none */
    public ByteCounter(WireTap next) {
        this.next = next;
    }

    @Override
    public void record(String channel, boolean outbound, byte[] payload) {
        (outbound ? out : in).addAndGet(payload.length);
        next.record(channel, outbound, payload);
    }

    /** @return payload bytes received (MQTT and gRPC) */
    public long bytesIn() {
        return in.get();
    }

    /** @return payload bytes sent (MQTT and gRPC) */
    public long bytesOut() {
        return out.get();
    }
}
