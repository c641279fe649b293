package io.flock.link.mqtt;

import io.flock.core.FlockException;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Publishes at QoS 1 and waits for the broker's acknowledgement, waiting for a free slot when the
 * in-flight window is full. Paho frees a slot of the broker's window (its Receive Maximum: 10 on
 * HiveMQ, 20 on Mosquitto) on its callback thread, after the publisher was already released; while
 * that thread is busy with incoming messages, a burst of publishes (a task for each of 1,000
 * devices, the status of each device behind a gateway) finds the window full and Paho fails it with
 * "Too many publishes in progress". Those publishes wait for a slot instead of failing.
 */
public final class QosOnePublisher {
    private static final long WINDOW_WAIT_NANOS = 10_000_000_000L;

    private QosOnePublisher() {
    }

    /**
     * @throws FlockException naming the topic when the broker refuses or the window stays full for 10 s
     */
    public static void publish(MqttClient client, String topic, byte[] payload, boolean retained) {
        long deadline = System.nanoTime() + WINDOW_WAIT_NANOS;
        while (true) {
            try {
                client.publish(topic, new MqttMessage(payload, 1, retained, new MqttProperties()));
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline) {
                    throw new FlockException("MQTT publish to " + topic + " failed: " + e.getMessage(), e);
                }
                LockSupport.parkNanos(200_000);
            }
        }
    }
}
