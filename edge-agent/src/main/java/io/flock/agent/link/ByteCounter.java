package io.flock.agent.link;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link WireTap} that counts payload bytes per direction; optionally forwards to another tap. */
public final class ByteCounter implements WireTap {
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong out = new AtomicLong();
    private final AtomicLong mqttIn = new AtomicLong();
    private final WireTap next;

    /** @param next also sees every payload; {@link WireTap#NONE} for none */
    public ByteCounter(WireTap next) {
        this.next = next;
    }

    @Override
    public void record(String channel, boolean outbound, byte[] payload) {
        (outbound ? out : in).addAndGet(payload.length);
        if (!outbound && "mqtt".equals(channel)) {
            mqttIn.addAndGet(payload.length);
        }
        next.record(channel, outbound, payload);
    }

    /** @return payload bytes received */
    public long bytesIn() {
        return in.get();
    }

    /** @return payload bytes sent */
    public long bytesOut() {
        return out.get();
    }

    /** @return payload bytes received over MQTT */
    public long mqttBytesIn() {
        return mqttIn.get();
    }
}
