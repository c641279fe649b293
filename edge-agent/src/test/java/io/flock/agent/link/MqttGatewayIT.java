package io.flock.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.FlockException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Devices sharing one session on the machine's Mosquitto (127.0.0.1:1883), observed by a second client. */
@Timeout(60)
class MqttGatewayIT {
    private static final String BROKER = "tcp://127.0.0.1:1883";
    private final String run = "it" + Long.toHexString(System.nanoTime());
    private final String model = run + "-model";
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private MqttGateway gateway;
    private MqttClient observer;
    private final Map<String, String> statuses = new ConcurrentHashMap<>();

    /** What one seated device received. */
    private static final class Inbox implements AgentMqttLink.Handler {
        final List<String> tasks = new CopyOnWriteArrayList<>();
        final List<Long> announcements = new CopyOnWriteArrayList<>();
        final List<Boolean> retained = new CopyOnWriteArrayList<>();
        final List<Integer> chunks = new CopyOnWriteArrayList<>();

        @Override
        public void onAnnouncement(ModelAnnouncement a, boolean wasRetained) {
            announcements.add(a.getVersion());
            retained.add(wasRetained);
        }

        @Override
        public void onChunk(ArtifactChunk chunk) {
            chunks.add(chunk.getIndex());
        }

        @Override
        public void onTask(DeviceTask task) {
            tasks.add(task.getTrain().getTaskId());
        }
    }

    @BeforeEach
    void start() throws Exception {
        gateway = new MqttGateway(BROKER, run + "-gw", WireTap.NONE, timers);
        observer = new MqttClient(BROKER, run + "-observer", new MemoryPersistence());
        observer.connect();
        observer.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage m) {
                String device = Topics.deviceOfStatus(topic);
                if (device != null && device.startsWith(run)) {
                    statuses.put(device, new String(m.getPayload(), StandardCharsets.UTF_8));
                }
            }

            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) { }

            @Override
            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) { }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) { }

            @Override
            public void connectComplete(boolean reconnect, String uri) { }

            @Override
            public void authPacketArrived(int code, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) { }
        });
        observer.subscribe(Topics.allStatuses(), 1);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        for (String id : inboxes.keySet()) {
            observer.publish(Topics.status(id), new byte[0], 1, true); // clear the retained status
        }
        observer.publish(Topics.announcement(model), new byte[0], 1, true);
        observer.disconnect();
        observer.close();
        timers.shutdownNow();
    }

    private DeviceLink seat(String suffix) {
        String id = run + "-" + suffix;
        Inbox inbox = new Inbox();
        inboxes.put(id, inbox);
        DeviceLink link = gateway.seat(id, model, inbox);
        link.start();
        return link;
    }

    private void publish(String topic, byte[] payload, boolean retained) throws Exception {
        observer.publish(topic, payload, 1, retained);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static byte[] task(String id) {
        return DeviceTask.newBuilder().setTrain(TrainTask.newBuilder().setTaskId(id)).build().toByteArray();
    }

    @Test
    void seats_getOwnTasksOnly_shareBroadcastsThatCrossOnce_lateSeatGetsLastAnnouncement() throws Exception {
        DeviceLink a = seat("a");
        DeviceLink b = seat("b");
        Inbox ia = inboxes.get(run + "-a");
        Inbox ib = inboxes.get(run + "-b");
        await(() -> "online".equals(statuses.get(run + "-a")) && "online".equals(statuses.get(run + "-b")));
        assertThat(a.isConnected()).isTrue();

        publish(Topics.tasks(run + "-a"), task("t-a"), false);
        publish(Topics.tasks(run + "-b"), "not a protobuf \u0001\u0002".getBytes(StandardCharsets.UTF_8), false);
        publish(Topics.tasks(run + "-b"), task("t-b"), false);
        long inBefore = gateway.traffic().bytesIn();
        ArtifactChunk chunk = ArtifactChunk.newBuilder().setSha256("ab").setIndex(0).setCount(1)
                .setData(com.google.protobuf.ByteString.copyFrom(new byte[5000])).build();
        publish(Topics.chunks(model), chunk.toByteArray(), false);
        publish(Topics.announcement(model), ModelAnnouncement.newBuilder().setModel(model).setVersion(7).build().toByteArray(), true);

        await(() -> ia.tasks.size() == 1 && ib.tasks.size() == 1 && ia.chunks.size() == 1 && ib.chunks.size() == 1
                && ia.announcements.contains(7L) && ib.announcements.contains(7L));
        assertThat(ia.tasks).containsExactly("t-a");
        assertThat(ib.tasks).as("the malformed task was dropped, the next one delivered").containsExactly("t-b");
        long chunkBytesIn = gateway.traffic().bytesIn() - inBefore;
        assertThat(chunkBytesIn).as("the chunk crossed the wire once for both devices")
                .isLessThan(2L * chunk.getSerializedSize());

        seat("late");
        Inbox late = inboxes.get(run + "-late");
        await(() -> late.announcements.contains(7L));
        assertThat(late.retained).containsOnly(true);

        b.close();
        await(() -> "offline".equals(statuses.get(run + "-b")));
        assertThat(b.isConnected()).isFalse();
        publish(Topics.tasks(run + "-b"), task("t-b2"), false);
        publish(Topics.tasks(run + "-a"), task("t-a2"), false);
        await(() -> ia.tasks.size() == 2);
        assertThat(ib.tasks).as("a device that left gets nothing").containsExactly("t-b");

        b.start();
        await(() -> "online".equals(statuses.get(run + "-b")));
    }

    @Test
    void seat_brokerUnreachable_clearError() {
        MqttGateway nowhere = new MqttGateway("tcp://127.0.0.1:1", run + "-nowhere", WireTap.NONE, timers);
        DeviceLink link = nowhere.seat(run + "-x", model, new Inbox());
        assertThatThrownBy(link::start).isInstanceOf(FlockException.class).hasMessageContaining("cannot take a seat")
                .hasMessageContaining("127.0.0.1:1");
        assertThat(link.isConnected()).isFalse();
        assertThatThrownBy(() -> nowhere.seat("bad/id", model, new Inbox())).hasMessageContaining("bad/id");
    }
}
