package io.flock.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.inference.LocalModel;
import io.flock.coordinator.batch.BatchJob;
import io.flock.coordinator.batch.InputFormat;
import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.serving.BatchingConfig;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.serving.ResponseCache;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.data.RawRows;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.simulator.fleet.BundledData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One feature pipeline, four paths: the same raw Fashion-MNIST images give bit-identical model inputs on the batch
 * path (a registered IDX set, prepared by the batch job), online (the coordinator's serving), on the device (the local
 * model loaded from the version's announcement) and in training (a device's private IDX data, batched as the local
 * trainer batches it, through the pipeline of the loaded version). Each path runs its own production code; the
 * pipeline is a non-trivial one (scale, mean, std) that travels in the version's manifest.
 */
class OneFeaturePipelineTest {
    private static final String PIPELINE = "scale:255:0.286:0.353";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:784-16-10");
    @TempDir
    Path dir;

    @Test
    void sameRawInput_sameFeatures_batchOnlineDeviceAndTraining() throws Exception {
        Path data = BundledData.subset();
        ByteDataset images = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"))
                .subset(new int[] {0, 1, 7, 42, 1999});
        Path setFile = dir.resolve("set-idx3-ubyte.gz");
        Path trainImages = dir.resolve("train-images-idx3-ubyte.gz");
        IdxFormat.writeLabelled(images, 28, 28, setFile, dir.resolve("labels.gz"));
        IdxFormat.writeLabelled(images, 28, 28, trainImages, dir.resolve("train-labels-idx1-ubyte.gz"));
        ModelParameters parameters;
        try (FlockModel m = new FlockModel(SPEC, "init")) {
            parameters = m.parameters();
        }
        ModelVersion version = new ModelVersion("m", 3, SPEC.toString(), PIPELINE, Stage.PRODUCTION, "0".repeat(64), 0, Double.NaN,
                Double.NaN, 0, List.of(new ArtifactVariant(new ArtifactManifest("m", 3, SPEC.toString(), "fp32", PIPELINE, "0".repeat(64), 1),
                new byte[64], true)), new byte[0]);
        ModelAnnouncement announced = WireMapper.announcement(version, 65536, false);

        RawRows set = InputFormat.IDX.read(Files.readAllBytes(setFile), "set", 100, 1 << 20);
        ByteDataset privateData = IdxFormat.readLabelled(trainImages, dir.resolve("train-labels-idx1-ubyte.gz"));
        try (ModelServing serving = new ModelServing(new BatchingConfig(1, Duration.ZERO, 1, 1), new ResponseCache(0, 0), "m");
             LocalModel device = new LocalModel()) {
            serving.update(version, parameters);
            device.swap(announced.getModel(), announced.getVersion(), announced.getSha256(), ModelSpec.parse(announced.getSpec()),
                    FeaturePipeline.parse(announced.getFeaturePipeline()), parameters);
            FeaturePipeline trainingPipeline = device.current().orElseThrow().pipeline(); // what TrainingWorker hands LocalTrainer
            int d = SPEC.inputSize();
            int[] order = {0, 1, 2, 3, 4};
            float[] trainingBatch = new float[order.length * d];
            trainingPipeline.prepareBatch(privateData, order, 0, order.length, trainingBatch); // LocalTrainer's epochs

            for (int i = 0; i < images.size(); i++) {
                float[] raw = new float[d];
                images.copyRawFeatures(i, raw, 0);
                float[] batch = BatchJob.features(version, set, i, 1);
                float[] online = serving.features(raw);
                float[] onDevice = device.features(raw).orElseThrow();
                float[] training = java.util.Arrays.copyOfRange(trainingBatch, i * d, (i + 1) * d);

                assertThat(set.row(i)).as("the set holds the raw input").isEqualTo(raw);
                assertThat(batch).as("batch, row %d", i).isEqualTo(online);
                assertThat(onDevice).as("on-device, row %d", i).isEqualTo(online);
                assertThat(training).as("training, row %d", i).isEqualTo(online);
                assertThat(online).as("the manifest's pipeline, not the identity").isNotEqualTo(raw);
            }
        }
    }
}
