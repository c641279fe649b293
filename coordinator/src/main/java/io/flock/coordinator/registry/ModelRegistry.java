package io.flock.coordinator.registry;

import io.flock.coordinator.store.FlockStore;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.ArtifactSigner;
import io.flock.core.artifact.Digests;
import io.flock.core.codec.Codecs;
import io.flock.core.codec.ParameterCodec;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, signs and looks up model versions. A new version stores two artifacts: the exact fp32
 * global parameters (the coordinator's state, never pushed) and the compressed, signed artifact that
 * devices download. Thread-safe; versions of one model are numbered 1, 2, 3, ...
 */
public final class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private final FlockStore store;
    private final ArtifactSigner signer;
    private final ParameterCodec artifactCodec;

    /**
     * @param store         durable storage
     * @param signer        signs every new version
     * @param artifactCodec codec of the pushed artifact (fp32 reference or a compressed one)
     */
    public ModelRegistry(FlockStore store, ArtifactSigner signer, ParameterCodec artifactCodec) {
        this.store = store;
        this.signer = signer;
        this.artifactCodec = artifactCodec;
    }

    /**
     * Stores and signs the next version of a model.
     *
     * @param evaluation held-out scores of {@code global}, or null when not evaluated
     * @return the new version, numbered one past the latest
     */
    public synchronized ModelVersion publish(String model, ModelSpec spec, FeaturePipeline pipeline, ModelParameters global,
                                             Evaluation evaluation) {
        byte[] exact = Codecs.FP32.encode(global);
        String paramsSha = Digests.sha256Hex(exact);
        store.saveArtifact(paramsSha, Codecs.FP32.name(), exact);
        byte[] artifact = artifactCodec.encode(global);
        String sha = Digests.sha256Hex(artifact);
        store.saveArtifact(sha, artifactCodec.name(), artifact);
        long next = store.latestVersion(model).map(v -> v.version() + 1).orElse(1L);
        ArtifactManifest manifest = new ArtifactManifest(model, next, spec.toString(), artifactCodec.name(), pipeline.toString(),
                sha, artifact.length);
        ModelVersion v = new ModelVersion(manifest, signer.sign(manifest), paramsSha, System.currentTimeMillis(),
                evaluation == null ? Double.NaN : evaluation.accuracy(), evaluation == null ? Double.NaN : evaluation.loss());
        store.saveVersion(v);
        log.info("stored model={} version={} codec={} artifactBytes={} fp32Bytes={} sha256={}", model, next,
                artifactCodec.name(), artifact.length, exact.length, sha.substring(0, 12));
        return v;
    }

    /** @return the latest version of a model, empty before the first */
    public Optional<ModelVersion> current(String model) {
        return store.latestVersion(model);
    }

    /** @throws ModelNotFoundException before the first version */
    public ModelVersion requireCurrent(String model) {
        return current(model).orElseThrow(() -> new ModelNotFoundException("model " + model + " has no version yet"));
    }

    /** @return the exact fp32 global parameters of a version */
    public ModelParameters globalParameters(ModelVersion version) {
        return Codecs.FP32.decode(artifact(version.paramsSha256()));
    }

    /** @throws ModelNotFoundException when no artifact has that SHA-256 */
    public byte[] artifact(String sha256) {
        return store.artifact(sha256).orElseThrow(() -> new ModelNotFoundException("no artifact with sha256 " + sha256));
    }
}
