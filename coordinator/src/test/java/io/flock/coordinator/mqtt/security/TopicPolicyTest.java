package io.flock.coordinator.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicPolicyTest {
    /** Gateway "g" has "d1" and "d2" behind it; nothing else is behind anything. Records every question asked. */
    private final List<String> asked = new ArrayList<>();
    private final TopicPolicy policy = new TopicPolicy(new DeviceDirectory() {
        @Override
        public boolean admits(String deviceId, String fingerprint) {
            throw new AssertionError("the policy never asks about admission");
        }

        @Override
        public boolean behind(String gatewayId, String deviceId) {
            asked.add(gatewayId + ">" + deviceId);
            return gatewayId.equals("g") && Set.of("d1", "d2").contains(deviceId);
        }
    });
    private final Identity a = new Identity.Device("a");
    private final Identity g = new Identity.Device("g");
    private final Identity coordinator = Identity.COORDINATOR;

    @Test
    void mayConnectAs_deviceUsesItsAgentOrGatewayIdOnly() {
        assertThat(policy.mayConnectAs(a, "flock-agent-a")).isTrue();
        assertThat(policy.mayConnectAs(a, "flock-gateway-a")).isTrue();

        assertThat(policy.mayConnectAs(a, "flock-agent-b")).isFalse();
        assertThat(policy.mayConnectAs(a, "flock-gateway-b")).isFalse();
        assertThat(policy.mayConnectAs(a, "flock-agent-a2")).isFalse();
        assertThat(policy.mayConnectAs(a, "flock-coordinator-1")).isFalse();
        assertThat(policy.mayConnectAs(a, "a")).isFalse();
        assertThat(policy.mayConnectAs(a, "")).isFalse();
    }

    @Test
    void mayConnectAs_coordinatorUsesItsPrefixOnly() {
        assertThat(policy.mayConnectAs(coordinator, "flock-coordinator-18f3a")).isTrue();

        assertThat(policy.mayConnectAs(coordinator, "flock-coordinator-")).isFalse();
        assertThat(policy.mayConnectAs(coordinator, "flock-agent-a")).isFalse();
        assertThat(policy.mayConnectAs(coordinator, "coordinator")).isFalse();
    }

    @Test
    void clientIds_ofDevice_areItsAgentAndGatewayIds() {
        assertThat(TopicPolicy.clientIds("d-17")).containsExactly("flock-agent-d-17", "flock-gateway-d-17");
    }

    @Test
    void mayPublish_device_onlyItsOwnStatus() {
        assertThat(policy.mayPublish(a, "flock/v1/devices/a/status")).isTrue();
        assertThat(policy.mayPublish(a, "flock/v1/gateways/a/status")).isTrue();

        assertThat(policy.mayPublish(a, "flock/v1/devices/b/status")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/devices/a/tasks")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/devices/b/tasks")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/models/m/announcement")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/models/m/chunks")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/gateways/g/status")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/devices/a/status/x")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/devices/a")).isFalse();
        assertThat(policy.mayPublish(a, "$SYS/broker/load")).isFalse();
        assertThat(policy.mayPublish(a, "other")).isFalse();
    }

    @Test
    void maySubscribe_device_onlyItsTasksAndSingleModelTopics() {
        assertThat(policy.maySubscribe(a, "flock/v1/devices/a/tasks")).isTrue();
        assertThat(policy.maySubscribe(a, "flock/v1/models/fmnist-mlp/announcement")).isTrue();
        assertThat(policy.maySubscribe(a, "flock/v1/models/fmnist-mlp/chunks")).isTrue();

        assertThat(policy.maySubscribe(a, "#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/devices/b/tasks")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/devices/+/tasks")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/devices/#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/devices/a/status")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/devices/+/status")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/+/announcement")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/m/#")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/m/+")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/m/other")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models//chunks")).isFalse();
        assertThat(policy.maySubscribe(a, "flock/v1/models/m/x/chunks")).isFalse();
        assertThat(policy.maySubscribe(a, "$SYS/#")).isFalse();
        assertThat(policy.maySubscribe(a, "$share/g/flock/v1/devices/a/tasks")).isFalse();
        assertThat(policy.maySubscribe(a, "$share/g/flock/v1/devices/b/tasks")).isFalse();
    }

    @Test
    void gateway_actsForTheDevicesBehindItOnly() {
        assertThat(policy.mayPublish(g, "flock/v1/gateways/g/status")).isTrue();
        assertThat(policy.mayPublish(g, "flock/v1/devices/d1/status")).isTrue();
        assertThat(policy.maySubscribe(g, "flock/v1/devices/d2/tasks")).isTrue();

        assertThat(policy.mayPublish(g, "flock/v1/devices/x/status")).isFalse();
        assertThat(policy.maySubscribe(g, "flock/v1/devices/x/tasks")).isFalse();
        assertThat(policy.mayPublish(g, "flock/v1/devices/d1/tasks")).isFalse();
        assertThat(policy.maySubscribe(g, "flock/v1/devices/d1/status")).isFalse();
        assertThat(policy.maySubscribe(g, "flock/v1/devices/+/tasks")).isFalse();
        assertThat(policy.mayPublish(a, "flock/v1/devices/d1/status")).as("d1 is behind g, not a").isFalse();
    }

    @Test
    void directory_isAskedOnlyAboutAnotherValidDeviceId() {
        policy.mayPublish(a, "flock/v1/devices/a/status");
        policy.maySubscribe(a, "flock/v1/devices/a/tasks");
        policy.maySubscribe(g, "flock/v1/devices/+/tasks");
        policy.maySubscribe(g, "flock/v1/devices/#/tasks");
        policy.mayPublish(g, "flock/v1/devices/bad id/status");
        policy.maySubscribe(g, "flock/v1/devices/d1/tasks");

        assertThat(asked).containsExactly("g>d1");
    }

    @Test
    void coordinator_mayUseAnythingUnderFlockV1Only() {
        assertThat(policy.mayPublish(coordinator, "flock/v1/models/m/announcement")).isTrue();
        assertThat(policy.mayPublish(coordinator, "flock/v1/models/m/chunks")).isTrue();
        assertThat(policy.mayPublish(coordinator, "flock/v1/devices/any/tasks")).isTrue();
        assertThat(policy.maySubscribe(coordinator, "flock/v1/devices/+/status")).isTrue();
        assertThat(policy.maySubscribe(coordinator, "flock/v1/#")).isTrue();

        assertThat(policy.mayPublish(coordinator, "other/topic")).isFalse();
        assertThat(policy.mayPublish(coordinator, "$SYS/x")).isFalse();
        assertThat(policy.maySubscribe(coordinator, "#")).isFalse();
        assertThat(policy.maySubscribe(coordinator, "+/v1/devices/+/status")).isFalse();
        assertThat(policy.maySubscribe(coordinator, "$SYS/#")).isFalse();
        assertThat(policy.maySubscribe(coordinator, "$share/coordinators/flock/v1/devices/+/status")).isFalse();
    }

    @Test
    void device_invalidId_isRefused() {
        assertThatThrownBy(() -> new Identity.Device("a/b")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Identity.Device("+")).isInstanceOf(InvalidInputException.class);
    }
}
