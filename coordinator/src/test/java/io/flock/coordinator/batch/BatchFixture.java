package io.flock.coordinator.batch;

import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import java.nio.file.Path;
import java.util.List;

/** An H2 store and a registry holding small MLPs, for the batch package's tests. */
final class BatchFixture implements AutoCloseable {
    static final ModelSpec SPEC = ModelSpec.parse("mlp:4-3");
    final JdbcFlockStore store;
    final ModelRegistry registry;

    BatchFixture(Path dir) throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
    }

    /** Publishes freshly initialised parameters as the model's next version and makes it production. */
    ModelVersion promoteNew(String model) {
        ModelParameters p;
        try (FlockModel m = new FlockModel(SPEC, "init")) {
            p = m.parameters();
        }
        ModelVersion v = registry.publish(model, Candidate.of(SPEC, FeaturePipeline.parse("scale:10"), p, null));
        return registry.promote(model, v.version(), Stage.PRODUCTION);
    }

    @Override
    public void close() {
        store.close();
    }
}
