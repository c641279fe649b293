package io.flock.agent.link;

import static io.flock.agent.link.LinkFixtures.BROKER;
import static io.flock.agent.link.LinkFixtures.await;
import static io.flock.agent.link.LinkFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.link.LinkFixtures.Inbox;
import io.flock.agent.link.LinkFixtures.Observer;
import io.flock.core.FlockException;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Devices sharing one session on the machine's Mosquitto (127.0.0.1:1883), observed by a second client. */
@Timeout(60)
class MqttGatewayIT {
    private final String run = "it" + Long.toHexString(System.nanoTime());
    private final String model = run + "-model";
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    private MqttGateway gateway;
    private Observer observer;
    private Map<String, String> statuses;

    @BeforeEach
    void start() throws Exception {
        gateway = new MqttGateway(BROKER, run + "-gw", WireTap.NONE, timers);
        observer = new Observer(run);
        statuses = observer.statuses;
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        observer.clear(inboxes.keySet(), model);
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
        observer.publish(topic, payload, retained);
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
        publish(Topics.announcement(model), LinkFixtures.announcement(model, 7), true);

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
