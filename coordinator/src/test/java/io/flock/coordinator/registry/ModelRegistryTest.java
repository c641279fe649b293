package io.flock.coordinator.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Digests;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private Ed25519Signer signer;
    private ModelRegistry registry;
    private final List<String> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        signer = Ed25519Signer.loadOrCreate(dir.resolve("keys"));
        registry = new ModelRegistry(store, signer, List.of(CompressionPipeline.parse("int8"), CompressionPipeline.parse("fp32")), 20);
        registry.addListener((v, previous) -> told.add(v.version() + "<-" + previous));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ModelVersion publish(String model, float x) {
        float[] w = new float[64];
        java.util.Arrays.fill(w, x);
        return registry.publish(model, Candidate.of(SPEC, PIPELINE, new ModelParameters(List.of(new Tensor("w", new int[] {8, 8}, w))),
                null));
    }

    @Test
    void publish_factorisedVariant_readBackWithItsOwnSpecAndItsSignatureVerifies() {
        ModelSpec spec = ModelSpec.parse("mlp:16-12-4");
        ModelRegistry lowRank = new ModelRegistry(store, signer, List.of(CompressionPipeline.parse("int8"),
                CompressionPipeline.parse("lowrank:2+int8")), 20);
        java.util.Random r = new java.util.Random(1);
        List<Tensor> t = new java.util.ArrayList<>();
        for (int[] shape : List.of(new int[] {12, 16}, new int[] {12}, new int[] {4, 12}, new int[] {4})) {
            float[] x = new float[(int) Tensor.elementCount(shape)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            t.add(new Tensor("t" + t.size(), shape, x));
        }
        ModelVersion published = lowRank.publish("lr", Candidate.of(spec, PIPELINE, new ModelParameters(t), null));

        ArtifactVariant read = lowRank.requireVersion("lr", published.version()).variants().stream()
                .filter(a -> a.codec().startsWith("lowrank")).findFirst().orElseThrow();

        assertThat(read.manifest().spec()).isEqualTo("mlp:16-12r2-4r2");
        assertThat(lowRank.requireVersion("lr", published.version()).spec()).isEqualTo("mlp:16-12-4");
        new ArtifactVerifier(signer.publicKey()).verify(read.manifest(), read.signature(), lowRank.artifact(read.manifest().sha256()));
    }

    @Test
    void publish_storesSignedVariants_eachVerifiable_theFirstPushed() {
        ModelVersion v = publish("m", 0.5f);

        assertThat(v.stage()).isEqualTo(Stage.CANDIDATE);
        assertThat(v.variants()).extracting(ArtifactVariant::codec).containsExactly("int8", "fp32");
        assertThat(v.pushed().codec()).isEqualTo("int8");
        ArtifactVerifier verifier = new ArtifactVerifier(signer.publicKey());
        for (ArtifactVariant a : v.variants()) {
            byte[] bytes = registry.artifact(a.manifest().sha256());
            assertThat(Digests.sha256Hex(bytes)).isEqualTo(a.manifest().sha256());
            verifier.verify(a.manifest(), a.signature(), bytes);
        }
        assertThat(registry.current("m")).as("a candidate is not current").isEmpty();
    }

    @Test
    void promote_makesProductionCurrent_archivesThePrevious_andIsIdempotent() {
        publish("m", 1);
        publish("m", 2);
        registry.promote("m", 1, Stage.PRODUCTION);
        registry.promote("m", 2, Stage.PRODUCTION);
        registry.promote("m", 2, Stage.PRODUCTION);

        assertThat(registry.requireCurrent("m").version()).isEqualTo(2);
        assertThat(registry.requireVersion("m", 1).stage()).isEqualTo(Stage.ARCHIVED);
        assertThat(told).as("the repeated promotion tells no one").containsExactly("1<-0", "2<-1");
    }

    @Test
    void rollback_returnsToThePreviousProduction_andTellsTheListeners() {
        for (int i = 1; i <= 3; i++) {
            registry.promote("m", publish("m", i).version(), Stage.PRODUCTION);
        }

        assertThat(registry.rollback("m", 0).version()).isEqualTo(2);
        assertThat(registry.rollback("m", 3).version()).isEqualTo(3);
        assertThat(registry.requireCurrent("m").version()).isEqualTo(3);
        assertThat(told).endsWith("2<-3", "3<-2");
    }

    @Test
    void unknownModelsAndVersions_areNotFound_andChangeNothing() {
        registry.promote("m", publish("m", 1).version(), Stage.PRODUCTION);

        assertThatThrownBy(() -> registry.promote("m", 9, Stage.PRODUCTION)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> registry.promote("nope", 1, Stage.PRODUCTION)).isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> registry.rollback("m", 0)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("no earlier production version");
        assertThatThrownBy(() -> registry.rollback("m", 42)).isInstanceOf(ModelNotFoundException.class);
        assertThat(registry.requireCurrent("m").version()).isEqualTo(1);
        assertThat(told).containsExactly("1<-0");
    }

    @Test
    void retention_prunesOldArtifactsAndOptimizerState_keepsProductionAndItsRows_andRefusesToPromoteAPrunedVersion() {
        ModelRegistry keepTwo = new ModelRegistry(store, signer, List.of(CompressionPipeline.parse("int8")), 2);
        List<ModelVersion> v = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            float[] w = new float[64];
            java.util.Arrays.fill(w, i);
            v.add(keepTwo.publish("r", new Candidate(SPEC, PIPELINE, new ModelParameters(List.of(new Tensor("w", new int[] {8, 8}, w))), null,
                    i, new byte[] {(byte) i})));
            if (i == 1) {
                keepTwo.promote("r", 1, Stage.PRODUCTION);
            }
        }

        assertThat(store.artifact(v.get(1).paramsSha256())).as("version 2: older than the newest 2").isEmpty();
        assertThat(store.artifact(v.get(2).pushed().manifest().sha256())).isEmpty();
        assertThat(store.artifact(v.get(0).paramsSha256())).as("production is kept").isPresent();
        assertThat(store.artifact(v.get(4).paramsSha256())).isPresent();
        assertThat(keepTwo.versions("r", 10)).as("rows stay").hasSize(5);
        assertThat(store.version("r", 2).orElseThrow().optimizerState()).as("a pruned version's optimizer state goes too").isEmpty();
        assertThat(store.version("r", 1).orElseThrow().optimizerState()).as("production keeps its state").containsExactly(1);
        assertThat(store.version("r", 5).orElseThrow().optimizerState()).containsExactly(5);
        assertThatThrownBy(() -> keepTwo.promote("r", 2, Stage.PRODUCTION)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("pruned");
        assertThat(keepTwo.requireCurrent("r").version()).isEqualTo(1);
        assertThat(keepTwo.promote("r", 5, Stage.PRODUCTION).version()).isEqualTo(5);
    }

    @Test
    void severalModels_keepTheirOwnNumbersAndStages() {
        publish("a", 1);
        publish("b", 1);
        publish("b", 2);

        assertThat(registry.models()).containsExactly("a", "b");
        assertThat(registry.versions("b", 10)).extracting(ModelVersion::version).containsExactly(2L, 1L);
        assertThat(registry.versions("a", 10)).extracting(ModelVersion::version).containsExactly(1L);
    }

    @Test
    void refresh_afterAnotherProcessPromoted_tellsTheListenersOnce_andNothingWhenUnchanged() {
        ModelVersion v1 = publish("m", 1f);
        registry.promote("m", v1.version(), Stage.PRODUCTION);
        ModelRegistry other = new ModelRegistry(store, signer, List.of(CompressionPipeline.parse("int8")), 20); // another replica
        ModelVersion v2 = other.publish("m", Candidate.of(SPEC, PIPELINE, new ModelParameters(List.of(new Tensor("w", new int[] {8, 8},
                new float[64]))), null));
        other.promote("m", v2.version(), Stage.PRODUCTION);
        told.clear();

        assertThat(registry.refresh("m")).map(ModelVersion::version).contains(v2.version());
        assertThat(registry.refresh("m")).isEmpty();

        assertThat(registry.requireCurrent("m").version()).isEqualTo(v2.version());
        assertThat(told).containsExactly(v2.version() + "<-" + v1.version());
    }
}
