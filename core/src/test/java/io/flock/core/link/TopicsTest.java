package io.flock.core.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void deviceOf_roundTripsAndRejectsOtherTopics() {
        assertThat(Topics.deviceOfTasks(Topics.tasks("d-001"))).isEqualTo("d-001");
        assertThat(Topics.deviceOfStatus(Topics.status("gw.7_x"))).isEqualTo("gw.7_x");
        assertThat(Topics.deviceOfTasks(Topics.status("d-001"))).isNull();
        assertThat(Topics.deviceOfStatus(Topics.tasks("d-001"))).isNull();
        assertThat(Topics.deviceOfTasks("flock/v1/devices//tasks")).isNull();
        assertThat(Topics.deviceOfTasks("flock/v1/devices/a/b/tasks")).as("not one segment").isNull();
        assertThat(Topics.deviceOfTasks(Topics.chunks("m"))).isNull();
        assertThat(Topics.deviceOfStatus("flock/v1/gateways/gw-1/status")).isNull();
    }

    @Test
    void segment_unsafeNames_rejected() {
        for (String bad : new String[] {"", "a/b", "a+b", "#", "a b"}) {
            assertThatThrownBy(() -> Topics.tasks(bad)).isInstanceOf(InvalidInputException.class);
        }
    }
}
