package io.flock.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.flock.core.InvalidInputException;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.FlockModel;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.LocalTrainer;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime parity: each form an agent runs, exported and run by ONNX Runtime for Java on 1,000 bundled test images
 * (raw pixels: the feature pipeline is in the graph), matches the probabilities Flock's own model gives within 1e-5.
 */
class OnnxExporterTest {
    private static final Path DATA = Path.of("..", "datasets", "fashion-mnist-subset");
    private static final int IMAGES = 1000;
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255:0.286:0.353");
    private static ByteDataset train;
    private static float[][] raw;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws Exception {
        train = IdxFormat.readLabelled(DATA.resolve("train-images-idx3-ubyte.gz"), DATA.resolve("train-labels-idx1-ubyte.gz"))
                .subset(IntStream.range(0, 600).toArray());
        ByteDataset test = IdxFormat.readLabelled(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        raw = new float[IMAGES][test.featureCount()];
        for (int i = 0; i < IMAGES; i++) {
            test.copyRawFeatures(i, raw[i], 0);
        }
    }

    /** @return parameters after a short training, so the weights are not the initialiser's */
    private static ModelParameters trained(ModelSpec spec) {
        try (FlockModel m = new FlockModel(spec, "onnx-test")) {
            new LocalTrainer().train(m, train, PIPELINE, new TrainingConfig(0.05f, 20, 1), new Random(3));
            return m.parameters();
        }
    }

    @Test
    void export_denseMlp_onnxRuntimeMatchesWithin1e5() throws Exception {
        ModelSpec spec = ModelSpec.parse("mlp:784-64-32-10");

        assertParity(spec, trained(spec));
    }

    @Test
    void export_prunedAndFactorisedMlp_onnxRuntimeMatchesTheDecodedVariant() throws Exception {
        ModelSpec spec = ModelSpec.parse("mlp:784-64-32-10");
        ModelParameters p = trained(spec);
        for (String variant : List.of("prune:0.9+int4", "lowrank:8+int8")) {
            CompressionPipeline pipeline = CompressionPipeline.parse(variant);
            CompressionPipeline.Artifact a = pipeline.encode(spec, p);

            assertParity(a.spec(), pipeline.codec().decode(a.bytes()));
        }
    }

    @Test
    void export_cnn_onnxRuntimeMatchesDjl() throws Exception {
        ModelSpec spec = ModelSpec.parse("cnn:28x28-4-8-16-10");

        assertParity(spec, trained(spec));
    }

    @Test
    void write_parametersOfAnotherLayout_clearErrorAndNoFile() {
        ModelSpec spec = ModelSpec.parse("mlp:784-64-10");
        ModelParameters wrong = new ModelParameters(List.of(new Tensor("w", new int[] {64, 700}, new float[64 * 700]),
                new Tensor("b", new int[] {64}, new float[64]), new Tensor("w2", new int[] {10, 64}, new float[640]),
                new Tensor("b2", new int[] {10}, new float[10])));
        Path out = dir.resolve("wrong.onnx");

        assertThatThrownBy(() -> OnnxExporter.write(spec, PIPELINE, wrong, "wrong", out)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tensor 0 (w) is [64, 700], the spec needs [64, 784]");
        assertThatThrownBy(() -> OnnxExporter.export(ModelSpec.parse("mlp:784-64r8-10"), PIPELINE, wrong, "wrong"))
                .hasMessageContaining("it has 5 tensors, the parameters 4");
        assertThat(out).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    private void assertParity(ModelSpec spec, ModelParameters p) throws Exception {
        Path file = dir.resolve(spec.toString().replace(':', '_') + ".onnx");
        OnnxExporter.write(spec, PIPELINE, p, spec.toString(), file);
        float[] expected;
        try (InferenceModel flock = InferenceModel.forDevice(spec, "flock")) {
            flock.load(p);
            float[] x = new float[IMAGES * spec.inputSize()];
            for (int i = 0; i < IMAGES; i++) {
                System.arraycopy(PIPELINE.transform(raw[i]), 0, x, i * spec.inputSize(), spec.inputSize());
            }
            expected = flock.predictProbabilities(x);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(Files.readAllBytes(file), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, raw);
                 OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
                float[][] got = (float[][]) result.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
                double worst = 0;
                for (int i = 0; i < IMAGES; i++) {
                    for (int c = 0; c < spec.classes(); c++) {
                        worst = Math.max(worst, Math.abs(got[i][c] - expected[i * spec.classes() + c]));
                    }
                }
                assertThat(worst).as(spec + ": largest difference from Flock's probabilities").isLessThanOrEqualTo(1e-5);
            }
        }
    }
}
