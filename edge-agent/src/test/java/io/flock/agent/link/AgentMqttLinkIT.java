package io.flock.agent.link;

import static io.flock.agent.link.LinkFixtures.BROKER;
import static io.flock.agent.link.LinkFixtures.await;
import static io.flock.agent.link.LinkFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.link.LinkFixtures.Inbox;
import io.flock.agent.link.LinkFixtures.Observer;
import io.flock.core.DaemonThreads;
import io.flock.core.FlockException;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A device's own session on the machine's Mosquitto (127.0.0.1:1883), driven and observed by a second client. */
@Timeout(60)
class AgentMqttLinkIT {
    private final String run = "it" + Long.toHexString(System.nanoTime());
    private final String device = run + "-d";
    private final String model = run + "-model";
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(run + "-timers"));
    private final Inbox inbox = new Inbox();
    private final AtomicLong bytesIn = new AtomicLong();
    private Observer observer;
    private AgentMqttLink link;

    @BeforeEach
    void start() throws Exception {
        observer = new Observer(run);
        WireTap tap = (channel, outbound, payload) -> {
            if (!outbound) {
                bytesIn.addAndGet(payload.length);
            }
        };
        link = new AgentMqttLink(BROKER, device, model, inbox, tap, timers);
    }

    @AfterEach
    void stop() throws Exception {
        link.close();
        observer.clear(List.of(device), model);
        observer.close();
        timers.shutdownNow();
    }

    @Test
    void session_deliversInOrderOnTheDevicesThread_dropsMalformed_andReportsOnlineThenOffline() throws Exception {
        link.start();
        link.start(); // idempotent
        await(() -> "online".equals(observer.statuses.get(device)));
        assertThat(link.isConnected()).isTrue();

        observer.publish(Topics.tasks(device), task("t-1"), false);
        observer.publish(Topics.tasks(device), "not a protobuf \u0001\u0002".getBytes(StandardCharsets.UTF_8), false);
        observer.publish(Topics.tasks(device), task("t-2"), false);
        observer.publish(Topics.tasks(run + "-other"), task("not-mine"), false);
        ArtifactChunk chunk = ArtifactChunk.newBuilder().setSha256("ab").setIndex(3).setCount(4)
                .setData(com.google.protobuf.ByteString.copyFrom(new byte[70_000])).build();
        observer.publish(Topics.chunks(model), chunk.toByteArray(), false);
        observer.publish(Topics.announcement(model), LinkFixtures.announcement(model, 7), true);

        await(() -> inbox.tasks.size() == 2 && inbox.chunks.size() == 1 && inbox.announcements.contains(7L));
        assertThat(inbox.tasks).as("in order; the malformed one dropped; another device's not delivered").containsExactly("t-1", "t-2");
        assertThat(inbox.chunks).containsExactly(3);
        assertThat(inbox.retained).containsExactly(false);
        assertThat(inbox.threads).as("handled on the device's own executor").allMatch(t -> t.startsWith(run + "-timers"));
        assertThat(bytesIn.get()).as("every payload seen by the wire tap").isGreaterThan(70_000);

        link.close();
        await(() -> "offline".equals(observer.statuses.get(device)));
        assertThat(link.isConnected()).isFalse();
    }

    @Test
    void restart_getsTasksSentWhileAway_andTheRetainedAnnouncement() throws Exception {
        link.start();
        await(() -> "online".equals(observer.statuses.get(device)));
        observer.publish(Topics.announcement(model), LinkFixtures.announcement(model, 3), true);
        await(() -> inbox.announcements.contains(3L));
        link.close();
        await(() -> "offline".equals(observer.statuses.get(device)));

        observer.publish(Topics.tasks(device), task("while-away"), false);
        link.start();

        await(() -> inbox.tasks.contains("while-away"));
        await(() -> "online".equals(observer.statuses.get(device)));
    }

    /**
     * A coordinator sends a task the moment a new device says it is online (a round waiting for devices does): the
     * device must already be subscribed to its task topic, or the task is lost. Twenty new devices in a row, each
     * sent its task (QoS 1, not retained) from the observer's status callback.
     */
    @Test
    void aTaskSentTheMomentANewDeviceSaysOnline_isReceived() throws Exception {
        java.util.concurrent.ExecutorService sender = Executors.newSingleThreadExecutor();
        observer.onOnline = d -> sender.execute(() -> {
            try {
                observer.publish(Topics.tasks(d), task("first-" + d), false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> devices = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                String d = run + "-new" + i;
                devices.add(d);
                Inbox mine = new Inbox();
                AgentMqttLink fresh = new AgentMqttLink(BROKER, d, model, mine, WireTap.NONE, timers);
                try {
                    fresh.start();
                    await(() -> mine.tasks.contains("first-" + d));
                } finally {
                    fresh.close();
                }
            }
        } finally {
            observer.onOnline = d -> { };
            sender.shutdownNow();
            observer.clear(devices, model);
        }
    }

    @Test
    void unreachableBrokerOrBadUrl_clearError_andNoSessionLeftBehind() {
        AgentMqttLink nowhere = new AgentMqttLink("tcp://127.0.0.1:1", device, model, inbox, WireTap.NONE, timers);
        assertThatThrownBy(nowhere::start).isInstanceOf(FlockException.class).hasMessageContaining("cannot connect")
                .hasMessageContaining("127.0.0.1:1");
        assertThat(nowhere.isConnected()).isFalse();
        nowhere.close();

        assertThatThrownBy(() -> new AgentMqttLink("ssl//127.0.0.1:1883", device, model, inbox, WireTap.NONE, timers))
                .isInstanceOf(FlockException.class).hasMessageContaining("tcp://host:port");
        assertThatThrownBy(() -> new AgentMqttLink("tcp://127.0.0.1", device, model, inbox, WireTap.NONE, timers))
                .isInstanceOf(FlockException.class).hasMessageContaining("tcp://host:port");
    }

    @Test
    void closedLink_letsItsHandlerGo_thoughTheClientKeepsTheSessionForAnHour() throws Exception {
        Inbox handler = new Inbox();
        AgentMqttLink closed = new AgentMqttLink(BROKER, run + "-gone", model, handler, WireTap.NONE, timers);
        closed.start();
        await(() -> "online".equals(observer.statuses.get(run + "-gone")));
        closed.close();
        await(() -> "offline".equals(observer.statuses.get(run + "-gone")));
        WeakReference<Inbox> ref = new WeakReference<>(handler);
        handler = null;
        closed = null;
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(ref.get()).as("a closed agent's handler (and with it the agent, its model and data) is garbage").isNull();
        observer.clear(List.of(run + "-gone"), model);
    }
}
