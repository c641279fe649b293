package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.cli.ExportCli;
import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.onnx.OnnxExporter;
import io.flock.core.tensor.ModelParameters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flock export} against a running coordinator (real gRPC on loopback): every variant of a version, the
 * teacher-sized CNN too, written as ONNX, loaded by ONNX Runtime for Java and run on 1,000 test images, matches what
 * an agent computes from the same signed artifact within 1e-5. Unknown models, versions and variants are one error
 * line, exit 2, and no file.
 */
@Timeout(180)
class OnnxExportIT {
    private static final int IMAGES = 1000;
    private static float[][] raw;

    @TempDir
    Path dir;

    @BeforeAll
    static void images() throws Exception {
        Path d = BundledData.subset();
        ByteDataset test = IdxFormat.readLabelled(d.resolve("t10k-images-idx3-ubyte.gz"), d.resolve("t10k-labels-idx1-ubyte.gz"));
        raw = new float[IMAGES][test.featureCount()];
        for (int i = 0; i < IMAGES; i++) {
            test.copyRawFeatures(i, raw[i], 0);
        }
    }

    @Test
    void export_everyVariantOfAnMlpAndACnn_onnxRuntimeMatchesTheAgentsModel() throws Exception {
        String mlp = Fixtures.unique("onnx-mlp-");
        try (CoordinatorServer c = new CoordinatorServer(Fixtures.coordinator(dir.resolve("mlp"), "", mlp, 1,
                Map.of("registry.variants", "fp32,fp16,prune:0.9+int4,lowrank:16+int8", "eval.data-dir", ""))).start()) {
            ModelVersion v = c.registry().requireCurrent(mlp);
            assertThat(v.variants()).hasSize(5);
            for (ArtifactVariant a : v.variants()) {
                assertParity(c, v, a);
            }
        }
        String cnn = Fixtures.unique("onnx-cnn-");
        try (CoordinatorServer c = new CoordinatorServer(Fixtures.coordinator(dir.resolve("cnn"), "", cnn, 1,
                Map.of("model.spec", "cnn:28x28-4-8-16-10", "push.codec", "fp32", "eval.data-dir", ""))).start()) {
            ModelVersion v = c.registry().requireCurrent(cnn);
            assertParity(c, v, v.pushed());
        }
    }

    @Test
    void export_unknownModelVersionOrVariant_oneLineExit2AndNoFile() throws Exception {
        String model = Fixtures.unique("onnx-bad-");
        try (CoordinatorServer c = new CoordinatorServer(Fixtures.coordinator(dir.resolve("c"), "", model, 1,
                Map.of("eval.data-dir", ""))).start()) {
            Path out = dir.resolve("out").resolve("m.onnx");
            String at = "127.0.0.1:" + c.port();
            String keys = c.config().dataDir().resolve("keys").toString();

            assertThat(fails("--coordinator", at, "--keys", keys, "--model", "nope", "--out", out.toString())).contains("NOT_FOUND", "unknown model 'nope'");
            assertThat(fails("--coordinator", at, "--keys", keys, "--model", model, "--version", "99", "--out", out.toString())).contains("NOT_FOUND");
            assertThat(fails("--coordinator", at, "--keys", keys, "--model", model, "--variant", "int3", "--out", out.toString()))
                    .contains("has no variant 'int3' (it has int8)");
            assertThat(fails("--coordinator", at, "--keys", keys, "--model", model, "--version", "-1", "--out", out.toString())).contains("INVALID_ARGUMENT");
            assertThat(fails("--coordinator", "nowhere", "--model", model, "--out", out.toString())).contains("host:port");
            assertThat(out).doesNotExist();
        }
    }

    private static String fails(String... args) {
        StringWriter err = new StringWriter();
        int code = ExportCli.run(new PrintWriter(err, true), args);
        assertThat(code).as(err.toString()).isEqualTo(2);
        return err.toString();
    }

    /** Exports one variant with the CLI (signature checked) and compares ONNX Runtime with the agent's model of the artifact. */
    private void assertParity(CoordinatorServer c, ModelVersion v, ArtifactVariant a) throws Exception {
        Path out = dir.resolve(v.model() + "-" + a.codec().replace(':', '_') + ".onnx");
        Path key = dir.resolve(v.model() + ".pub");
        Files.writeString(key, java.util.Base64.getEncoder().encodeToString(c.publicKey()));
        StringWriter err = new StringWriter();
        assertThat(ExportCli.run(new PrintWriter(err, true), "--coordinator", "127.0.0.1:" + c.port(), "--keys",
                c.config().dataDir().resolve("keys").toString(), "--model", v.model(),
                "--variant", a.codec(), "--out", out.toString(), "--public-key", key.toString())).as(a.codec() + ": " + err).isZero();
        ModelSpec spec = ModelSpec.parse(a.manifest().spec());
        FeaturePipeline pipeline = FeaturePipeline.parse(a.manifest().pipeline());
        ModelParameters p = CompressionPipeline.parse(a.codec()).codec().decode(c.registry().artifact(a.manifest().sha256()));
        float[] expected;
        try (InferenceModel agent = InferenceModel.forDevice(spec, "agent")) {
            agent.load(p);
            float[] x = new float[IMAGES * spec.inputSize()];
            for (int i = 0; i < IMAGES; i++) {
                System.arraycopy(pipeline.transform(raw[i]), 0, x, i * spec.inputSize(), spec.inputSize());
            }
            expected = agent.predictProbabilities(x);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(out.toString(), o); OnnxTensor in = OnnxTensor.createTensor(env, raw);
                 OrtSession.Result r = s.run(Map.of(OnnxExporter.INPUT, in))) {
                float[][] got = (float[][]) r.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
                double worst = 0;
                for (int i = 0; i < IMAGES; i++) {
                    for (int k = 0; k < spec.classes(); k++) {
                        worst = Math.max(worst, Math.abs(got[i][k] - expected[i * spec.classes() + k]));
                    }
                }
                assertThat(worst).as(a.codec() + " (" + spec + ")").isLessThanOrEqualTo(1e-5);
            }
        }
    }
}
