package io.flock.link.mqtt;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;

/**
 * Keeps a Paho MQTT 5 session usable across broker outages, for the coordinator, a device and a
 * gateway alike. Paho reconnects with backoff, but not always after a server-sent DISCONNECT (a
 * broker shutting down), so a watchdog on the owner's scheduler calls {@code reconnect()} every 2 s
 * while the session is down; once per outage, whichever path reconnected, the owner's
 * {@link Restore} re-subscribes and re-publishes what a restarted broker has lost. It is also the
 * session's Paho callback: messages go to the owner, losses and errors are logged under the owner's
 * logger and name.
 */
public final class SessionKeeper {
    /** What the owner redoes after a reconnect (subscriptions, retained statuses, announcements). */
    public interface Restore {
        void run() throws MqttException;
    }

    /** The owner's incoming messages, on Paho's callback thread: hand long work to another thread. */
    public interface Inbound {
        void messageArrived(String topic, MqttMessage message);
    }

    private final Logger log;
    private final String who;
    private final ScheduledExecutorService scheduler;
    private final Restore restore;
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile MqttClient client;
    private ScheduledFuture<?> watchdog;

    /**
     * @param log       the owner's logger
     * @param who       the owner in log lines, e.g. "device=d-001"
     * @param scheduler runs the watchdog and restores
     * @param restore   what to redo once per outage
     */
    public SessionKeeper(Logger log, String who, ScheduledExecutorService scheduler, Restore restore) {
        this.log = log;
        this.who = who;
        this.scheduler = scheduler;
        this.restore = restore;
    }

    /** @return the Paho callback for the owner's client, delivering messages to {@code inbound} */
    public MqttCallback callback(Inbound inbound) {
        return new Callback(inbound);
    }

    /** Starts watching a connected client. */
    public synchronized void watch(MqttClient connected) {
        this.client = connected;
        watchdog = scheduler.scheduleWithFixedDelay(this::keepConnected, 2, 2, TimeUnit.SECONDS);
    }

    /** Stops watching (before the owner disconnects on purpose). */
    public synchronized void stop() {
        client = null;
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    private void keepConnected() {
        MqttClient c = client;
        if (c == null) {
            return;
        }
        if (!c.isConnected()) {
            lost.set(true);
            try {
                c.reconnect();
            } catch (MqttException e) {
                log.debug("{} reconnect attempt: {}", who, e.getMessage());
            }
        } else if (lost.compareAndSet(true, false)) {
            try {
                restore.run();
                log.info("{} reconnected to the MQTT broker", who);
            } catch (MqttException | RuntimeException e) {
                lost.set(true);
                log.warn("{} could not restore its session after a reconnect: {}", who, e.toString());
            }
        }
    }

    private final class Callback implements MqttCallback {
        private final Inbound inbound;

        Callback(Inbound inbound) {
            this.inbound = inbound;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            inbound.messageArrived(topic, message);
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (reconnect) {
                lost.set(true);
                scheduler.execute(SessionKeeper.this::keepConnected);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            lost.set(true);
            log.info("{} lost the MQTT broker: {}", who, response.getException() != null
                    ? response.getException().getMessage() : "reason code " + response.getReturnCode());
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("{} MQTT error: {}", who, exception.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
