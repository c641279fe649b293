package io.flock.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.AcceptedUpdate;
import io.flock.coordinator.round.RoundRecord;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.Digests;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link FlockStore} must have; subclasses supply the database. */
abstract class StoreContract {
    abstract FlockStore store();

    abstract String model();

    @Test
    void artifactsAndVersions_roundTrip_latestWins() {
        byte[] bytes = new byte[800_000];
        bytes[7] = 42;
        String sha = Digests.sha256Hex(bytes);
        store().saveArtifact(sha, "fp32", bytes);
        store().saveArtifact(sha, "fp32", bytes);
        for (long v = 1; v <= 2; v++) {
            store().saveVersion(new ModelVersion(new ArtifactManifest(model(), v, "mlp:4-2", "fp32", "scale:255", sha, bytes.length),
                    new byte[] {1, 2}, sha, 1000 + v, v == 1 ? Double.NaN : 0.5, 1.5));
        }

        assertThat(store().artifact(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        assertThat(store().artifact("0".repeat(64))).isEmpty();
        ModelVersion latest = store().latestVersion(model()).orElseThrow();
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.accuracy()).isEqualTo(0.5);
        assertThat(latest.signature()).containsExactly(1, 2);
    }

    @Test
    void updates_sameIdempotencyKeyStoredOnce_andRoundsTrackStatus() {
        store().upsertDevice(model() + "-d1", "jvm", 1);
        store().openRound(new RoundRecord(model(), 1, 1, List.of(model() + "-d1", model() + "-d2"), RoundRecord.OPEN, 5));
        AcceptedUpdate u = new AcceptedUpdate(model(), 1, model() + "-d1", model() + "-k1", 10, "fp32", new byte[] {9}, 6);

        assertThat(store().saveUpdate(u)).isTrue();
        assertThat(store().saveUpdate(u)).isFalse();
        assertThat(store().updates(model(), 1)).hasSize(1).first().satisfies(x -> assertThat(x.payload()).containsExactly(9));
        assertThat(store().openRound(model()).orElseThrow().selected()).containsExactly(model() + "-d1", model() + "-d2");
        store().finishRound(model(), 1, RoundRecord.CLOSED, 1, 0.7);
        assertThat(store().openRound(model())).isEmpty();
        assertThat(store().lastRound(model())).isEqualTo(1);
        assertThat(store().deviceExists(model() + "-d1")).isTrue();
        assertThat(store().deviceExists(model() + "-nobody")).isFalse();
    }

    @Test
    void scoresRecordedAfterPublication_landOnThatVersionOnly() {
        byte[] bytes = {1, 2, 3};
        String sha = Digests.sha256Hex(bytes);
        store().saveArtifact(sha, "fp32", bytes);
        for (long v = 1; v <= 2; v++) {
            store().saveVersion(new ModelVersion(new ArtifactManifest(model(), v, "mlp:4-2", "fp32", "scale:255", sha, bytes.length),
                    new byte[] {1}, sha, 1000 + v, Double.NaN, Double.NaN));
        }
        store().openRound(new RoundRecord(model(), 1, 1, List.of(model() + "-d1"), RoundRecord.OPEN, 5));
        store().finishRound(model(), 1, RoundRecord.CLOSED, 1, Double.NaN);
        assertThat(store().latestVersion(model()).orElseThrow().accuracy()).isNaN();

        store().recordScores(model(), 2, 1, 0.81, 0.42);

        ModelVersion latest = store().latestVersion(model()).orElseThrow();
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.accuracy()).isEqualTo(0.81);
        assertThat(latest.loss()).isEqualTo(0.42);
        store().recordScores(model(), 99, 99, 0.5, 0.5); // a version or round that is not there changes nothing
        assertThat(store().latestVersion(model()).orElseThrow().accuracy()).isEqualTo(0.81);
    }
}
