package io.flock.coordinator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.data.InputDigest;
import io.flock.core.data.RawRows;
import io.flock.core.model.FlockModel;
import io.flock.core.model.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job against a real registry and replica: computes, recomputes on a served version, re-stamps on a device version. */
class BatchJobTest {
    private static final byte[] SET = "1,2,3,4\n5,6,7,8\n0,0,0,0\n9,9,9,9\n".getBytes(StandardCharsets.US_ASCII);
    @TempDir
    Path dir;
    private BatchFixture fx;
    private BatchJob job;

    @BeforeEach
    void open() throws Exception {
        fx = new BatchFixture(dir);
    }

    @AfterEach
    void close() {
        if (job != null) {
            job.close();
        }
        fx.close();
    }

    private InputSets start(String served, String device) {
        InputSets sets = new InputSets(fx.store, fx.registry, new java.util.HashSet<>(java.util.List.of(served, device)), 100, 1 << 20);
        job = new BatchJob(sets, fx.registry, served, device, Duration.ZERO);
        fx.registry.addListener(job.listener());
        job.start();
        return sets;
    }

    private static InputSet.Computed computed(InputSets sets) {
        return sets.list().get(0).computed();
    }

    @Test
    void registeredSet_computedByTheServedReplica_rowsNamedByTheirDigest() {
        ModelVersion v = fx.promoteNew("m");
        InputSets sets = start("m", "m");

        InputSet set = sets.register("s", "m", "csv", SET);
        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets) != null);

        BatchResult r = sets.result("s");
        assertThat(r.rows()).isEqualTo(4);
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.version()).isEqualTo(v.version());
        assertThat(r.deviceVersion()).isEqualTo(v.version());
        RawRows rows = sets.rows(set);
        try (FlockModel online = new FlockModel(BatchFixture.SPEC, "check")) {
            online.load(fx.registry.globalParameters(v));
            for (int i = 0; i < 4; i++) {
                assertThat(r.digest(i)).isEqualTo(InputDigest.of(rows.row(i)));
                float[] expected = online.predictProbabilities(BatchJob.features(v, rows, i, 1));
                Prediction p = r.prediction(i);
                for (int k = 0; k < 3; k++) {
                    assertThat(p.probabilities()[k]).isCloseTo(expected[k], within(1e-6f));
                }
                assertThat(p.label()).isEqualTo(Prediction.of(expected, "m", 1).label());
            }
        }
    }

    @Test
    void deviceModelPromoted_cloudServes_restampedNotRecomputed_cloudPromoted_recomputed() {
        fx.promoteNew("cloud");
        fx.promoteNew("dev");
        InputSets sets = start("cloud", "dev");
        sets.register("s", "dev", "csv", SET);
        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets) != null);
        InputSet.Computed first = computed(sets);
        assertThat(first.model()).isEqualTo("cloud");
        assertThat(first.deviceVersion()).isEqualTo(1);

        fx.promoteNew("dev");
        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets).deviceVersion() == 2);
        assertThat(computed(sets).computedMs()).as("re-stamped, not recomputed").isEqualTo(first.computedMs());
        assertThat(computed(sets).version()).isEqualTo(1);

        fx.promoteNew("cloud");
        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets).version() == 2);
        assertThat(computed(sets).deviceVersion()).isEqualTo(2);
    }

    @Test
    void servedModelIsTheDeviceModel_newVersion_recomputed() {
        fx.promoteNew("m");
        InputSets sets = start("m", "m");
        sets.register("s", "m", "csv", SET);
        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets) != null);

        fx.promoteNew("m");

        await().atMost(Duration.ofSeconds(20)).until(() -> computed(sets).version() == 2);
        assertThat(computed(sets).deviceVersion()).isEqualTo(2);
    }
}
