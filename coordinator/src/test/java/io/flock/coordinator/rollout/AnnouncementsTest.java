package io.flock.coordinator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A train task's base version stays fetchable once a newer version replaced it; a candidate never sent does not. */
class AnnouncementsTest {
    private static final String MODEL = "m";
    @TempDir
    Path dir;
    private JdbcFlockStore store;

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void ofVersion_aFormerProductionVersion_isAnnounced_aCandidateOrUnknownOneIsNot() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        ModelRegistry registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")),
                List.of(CompressionPipeline.parse("fp32")), 20);
        ModelVersion v1 = registry.promote(MODEL, publish(registry, 1).version(), Stage.PRODUCTION);
        ModelVersion v2 = registry.promote(MODEL, publish(registry, 2).version(), Stage.PRODUCTION);
        ModelVersion candidate = publish(registry, 3);
        Announcements announcements = new Announcements(MODEL, registry, new DeviceRegistry(store, ""), 65536, v -> Optional.empty());

        ModelAnnouncement base = announcements.ofVersion(v1.version());
        assertThat(base.getVersion()).isEqualTo(v1.version());
        assertThat(base.getSha256()).isEqualTo(registry.requireVersion(MODEL, v1.version()).manifest().sha256());
        assertThat(base.hasCanary()).isFalse();
        assertThat(announcements.ofVersion(v2.version()).getVersion()).isEqualTo(v2.version());
        assertThatThrownBy(() -> announcements.ofVersion(candidate.version())).isInstanceOf(RolloutStateException.class)
                .hasMessageContaining("never sent to devices");
        assertThatThrownBy(() -> announcements.ofVersion(99)).isInstanceOf(ModelNotFoundException.class);
    }

    private static ModelVersion publish(ModelRegistry registry, float value) {
        ModelParameters p = new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[] {value, value})));
        return registry.publish(MODEL, Candidate.of(ModelSpec.parse("mlp:1-2"), FeaturePipeline.parse("scale:255"), p, null));
    }
}
