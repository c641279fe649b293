package io.flock.coordinator.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.link.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device status topics over the embedded broker (port 0): anyone on the broker can publish there (no MQTT ACLs
 * yet), so a payload the coordinator does not understand must not take a live device out of rounds.
 */
class MqttFleetLinkIT {
    @TempDir
    Path dir;
    private EmbeddedBroker broker;
    private JdbcFlockStore store;
    private DeviceRegistry devices;
    private MqttFleetLink link;
    private MqttClient outsider;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker(dir.resolve("broker"), 0);
        broker.start();
        store = new JdbcFlockStore("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        devices = new DeviceRegistry(store, "");
        for (String d : new String[] {"d-1", "d-2", "d-3"}) {
            devices.register(d, "jvm", "");
        }
        link = new MqttFleetLink(broker.url(), devices);
        link.start();
        outsider = new MqttClient(broker.url(), "outsider", new MemoryPersistence());
        outsider.connect(new MqttConnectionOptions());
    }

    @AfterEach
    void stop() throws Exception {
        outsider.disconnect();
        outsider.close();
        link.close();
        broker.close();
        store.close();
    }

    private void status(String device, byte[] payload) throws Exception {
        publish(Topics.status(device), payload);
    }

    private void publish(String topic, byte[] payload) throws Exception {
        outsider.publish(topic, new MqttMessage(payload, 1, true, null));
    }

    private void status(String device, String payload) throws Exception {
        status(device, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A device goes online; what the outsider publishes after it arrives before this marker (one publisher, QoS 1, in order). */
    private void marker(String device) throws Exception {
        status(device, Topics.ONLINE);
        await().atMost(Duration.ofSeconds(10)).until(() -> devices.available().contains(device));
    }

    @Test
    void statusTopic_junkOrEmptyPayloads_leaveALiveDeviceAvailable() throws Exception {
        marker("d-1");

        status("d-1", "0ffline");
        status("d-1", "OFFLINE");
        status("d-1", " offline");
        status("d-1", new byte[] {(byte) 0xff, 0, 1});
        status("d-1", new byte[0]); // clears the retained status: subscribers still get the empty message
        marker("d-2");

        assertThat(devices.available()).containsExactly("d-1", "d-2");
    }

    @Test
    void statusTopic_invalidPayloads_areCounted_andWellFormedStatusesStillWork() throws Exception {
        marker("d-1");
        status("d-1", "gone");
        publish(Topics.ROOT + "/devices/not a device/status", Topics.OFFLINE.getBytes(StandardCharsets.UTF_8));
        marker("d-2");
        assertThat(link.invalidStatuses()).isEqualTo(2);

        status("d-1", Topics.OFFLINE);
        await().atMost(Duration.ofSeconds(10)).until(() -> !devices.available().contains("d-1"));
        status("d-1", "junk");
        marker("d-3");

        assertThat(devices.available()).as("junk does not bring an offline device back either").containsExactly("d-2", "d-3");
        assertThat(link.invalidStatuses()).isEqualTo(3);
    }
}
