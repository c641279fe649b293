package io.flock.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.TrainTask;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** What the MQTT link ITs share: the machine's Mosquitto, an inbox per device, and an observing client. */
final class LinkFixtures {
    static final String BROKER = "tcp://127.0.0.1:1883";

    private LinkFixtures() {
    }

    /** What one device received, and on which threads. */
    static final class Inbox implements AgentMqttLink.Handler {
        final List<String> tasks = new CopyOnWriteArrayList<>();
        final List<Long> announcements = new CopyOnWriteArrayList<>();
        final List<Boolean> retained = new CopyOnWriteArrayList<>();
        final List<Integer> chunks = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onAnnouncement(ModelAnnouncement a, boolean wasRetained) {
            threads.add(Thread.currentThread().getName());
            announcements.add(a.getVersion());
            retained.add(wasRetained);
        }

        @Override
        public void onChunk(ArtifactChunk chunk) {
            threads.add(Thread.currentThread().getName());
            chunks.add(chunk.getIndex());
        }

        @Override
        public void onTask(byte[] signedTask) {
            threads.add(Thread.currentThread().getName());
            try { // the link passes task payloads on as they are; the agent's TaskGate verifies them (this fixture only parses)
                tasks.add(DeviceTask.parseFrom(signedTask).getTrain().getTaskId());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // malformed: dropped here, as the agent's gate refuses it
            }
        }
    }

    /** A second client that publishes what a coordinator would and follows the statuses of one run's devices. */
    static final class Observer implements MqttCallback, AutoCloseable {
        final Map<String, String> statuses = new ConcurrentHashMap<>();
        /** Called with a device's id when it says it is online, on Paho's callback thread (as a coordinator hears it). */
        volatile java.util.function.Consumer<String> onOnline = d -> { };
        private final String run;
        private final MqttClient client;

        Observer(String run) throws MqttException {
            this.run = run;
            client = new MqttClient(BROKER, run + "-observer", new MemoryPersistence());
            client.connect();
            client.setCallback(this);
            client.subscribe(Topics.allStatuses(), 1);
        }

        void publish(String topic, byte[] payload, boolean retained) throws MqttException {
            client.publish(topic, payload, 1, retained);
        }

        /** Clears the retained messages a test left on the broker, then disconnects. */
        void clear(Iterable<String> devices, String model) throws MqttException {
            for (String id : devices) {
                publish(Topics.status(id), new byte[0], true);
            }
            publish(Topics.announcement(model), new byte[0], true);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect();
            client.close();
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            String device = Topics.deviceOfStatus(topic);
            if (device != null && device.startsWith(run)) {
                String status = new String(m.getPayload(), StandardCharsets.UTF_8);
                statuses.put(device, status);
                if (Topics.ONLINE.equals(status)) {
                    onOnline.accept(device);
                }
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken t) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int code, MqttProperties p) {
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static byte[] task(String id) {
        return DeviceTask.newBuilder().setTrain(TrainTask.newBuilder().setTaskId(id)).build().toByteArray();
    }

    static byte[] announcement(String model, long version) {
        return ModelAnnouncement.newBuilder().setModel(model).setVersion(version).build().toByteArray();
    }
}
