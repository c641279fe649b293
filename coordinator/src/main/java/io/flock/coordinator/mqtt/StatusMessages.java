package io.flock.coordinator.mqtt;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.core.link.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the device status topics into the {@link DeviceRegistry}: exactly {@code online} or {@code offline} changes
 * a device's availability. Any other payload (junk, an empty retained clear, another case or spacing) is invalid:
 * as is a status topic whose device id could not be registered: it is counted, logged at WARN at most once per {@link #LOG_INTERVAL_NANOS} (with how many were not logged), and
 * leaves the device's known state as it was. Thread-safe.
 */
final class StatusMessages {
    private static final Logger log = LoggerFactory.getLogger(StatusMessages.class);
    /** At most one WARN line about invalid status payloads per this many nanoseconds (10 s). */
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final byte[] ONLINE = Topics.ONLINE.getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFLINE = Topics.OFFLINE.getBytes(StandardCharsets.UTF_8);
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private final DeviceRegistry devices;
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    StatusMessages(DeviceRegistry devices) {
        this.devices = devices;
    }

    /** Applies one message; topics that are not a device's status topic are ignored. */
    void arrived(String topic, byte[] payload) {
        String device = Topics.deviceOfStatus(topic);
        if (device == null) {
            return;
        }
        if (!DEVICE_ID.matcher(device).matches()) {
            invalid("(not a device id)", payload.length);
        } else if (Arrays.equals(payload, ONLINE)) {
            devices.statusChanged(device, true);
        } else if (Arrays.equals(payload, OFFLINE)) {
            devices.statusChanged(device, false);
        } else {
            invalid(device, payload.length);
        }
    }

    private void invalid(String device, int bytes) {
        invalid.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            log.warn("ignored an invalid status message (payload neither online nor offline, or no device id): device={} bytes={} unlogged={}; the device's state is"
                    + " unchanged", device, bytes, unlogged.getAndSet(0));
        } else {
            unlogged.incrementAndGet();
        }
    }

    /** @return status messages ignored as invalid since start */
    long invalid() {
        return invalid.get();
    }
}
