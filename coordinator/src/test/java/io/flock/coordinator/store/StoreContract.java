package io.flock.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.artifact.Digests;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link FlockStore} must have; subclasses supply the database. */
abstract class StoreContract {
    abstract FlockStore store();

    abstract String model();

    private VersionRow version(long v, String stage, String sha) {
        return new VersionRow(model(), v, "mlp:4-2", "scale:255", stage, sha, 1000 + v, Double.NaN, 1.5, v, new byte[] {(byte) v});
    }

    private VariantRow variant(long v, String codec, String sha, boolean pushed) {
        return new VariantRow(model(), v, codec, sha, 3, new byte[] {1, 2}, pushed);
    }

    private String artifact() {
        byte[] bytes = new byte[800_000];
        bytes[7] = 42;
        String sha = Digests.sha256Hex(bytes);
        store().saveArtifact(sha, "fp32", bytes);
        store().saveArtifact(sha, "fp32", bytes);
        assertThat(store().artifact(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        return sha;
    }

    /**
     * Values past a mebibyte (a FedAdam state of the MLP is 1.6 MB; fp32 artifacts of larger models) round-trip
     * through versions, promotions, update payloads and pruning. On H2 as VARBINARY this broke the file (MVStoreException
     * "Reading from file ... failed") after about 20 versions.
     */
    @Test
    void largeValues_pastAMebibyte_surviveVersionsPromotionsAndPruning() {
        java.util.Random random = new java.util.Random(5);
        byte[] lastState = null;
        byte[] lastArtifact = null;
        String lastSha = null;
        for (int i = 1; i <= 30; i++) {
            byte[] bytes = new byte[1_300_000];
            random.nextBytes(bytes);
            lastSha = Digests.sha256Hex(bytes);
            store().saveArtifact(lastSha, "fp32", bytes);
            lastArtifact = bytes;
            lastState = new byte[1_600_000];
            random.nextBytes(lastState);
            store().openRound(new RoundRecord(model(), i, i, List.of(model() + "-big"), RoundRecord.OPEN, 5));
            for (int d = 0; d < 10; d++) {   // a round's update payloads, dropped once it closes
                byte[] payload = new byte[800_000];
                random.nextBytes(payload);
                store().saveUpdate(new StoredUpdate(model(), i, model() + "-big" + d, "k" + i, 10, i, "fp32", payload, 6));
            }
            store().finishRound(model(), i, RoundRecord.CLOSED, 10, 0.5);
            store().dropPayloads(model(), i);
            long v = store().reserveVersion(model(), "mlp:4-2", "scale:255");
            store().saveVersion(new VersionRow(model(), v, "mlp:4-2", "scale:255", FlockStore.CANDIDATE, lastSha, 1000 + v, 0.5, 1.5, v,
                    lastState), List.of(variant(v, "fp32", lastSha, true)));
            assertThat(store().setStage(model(), v, FlockStore.PRODUCTION)).isTrue();
            store().pruneArtifacts(model(), 20);
            assertThat(store().versions(model(), 20)).isNotEmpty();
        }

        long newest = store().latestVersion(model());
        assertThat(store().version(model(), newest).orElseThrow().optimizerState()).isEqualTo(lastState);
        assertThat(store().artifact(lastSha).orElseThrow()).isEqualTo(lastArtifact);
        assertThat(store().version(model(), newest - 25).orElseThrow().optimizerState()).as("pruned").isEmpty();
        assertThat(store().updates(model(), 30)).hasSize(10).allSatisfy(u -> assertThat(u.payload()).isEmpty());
    }

    @Test
    void versions_numberedByTheDatabase_withVariantsAndStages() {
        String sha = artifact();
        assertThat(store().artifact("0".repeat(64))).isEmpty();
        for (int i = 1; i <= 3; i++) {
            long v = store().reserveVersion(model(), "mlp:4-2", "scale:255");
            assertThat(v).isEqualTo(i);
            store().saveVersion(version(v, FlockStore.CANDIDATE, sha), List.of(variant(v, "int8", sha, true), variant(v, "fp32", sha, false)));
        }

        assertThat(store().models()).contains(model());
        assertThat(store().latestVersion(model())).isEqualTo(3);
        assertThat(store().productionVersion(model())).isZero();
        assertThat(store().setStage(model(), 2, FlockStore.PRODUCTION)).isTrue();
        assertThat(store().setStage(model(), 3, FlockStore.PRODUCTION)).isTrue();
        assertThat(store().setStage(model(), 3, FlockStore.PRODUCTION)).as("the stage it has: a no-op").isTrue();
        assertThat(store().setStage(model(), 99, FlockStore.PRODUCTION)).as("no such version").isFalse();

        assertThat(store().productionVersion(model())).isEqualTo(3);
        assertThat(store().version(model(), 2).orElseThrow().stage()).isEqualTo(FlockStore.ARCHIVED);
        assertThat(store().stageCounts(model())).containsEntry(FlockStore.PRODUCTION, 1L).containsEntry(FlockStore.ARCHIVED, 1L)
                .containsEntry(FlockStore.CANDIDATE, 1L);
        assertThat(store().variants(model(), 3)).extracting(VariantRow::codec).containsExactly("int8", "fp32");
        assertThat(store().versions(model(), 2)).extracting(VersionRow::version).containsExactly(3L, 2L);
        assertThat(store().version(model(), 3).orElseThrow().optimizerState()).containsExactly(3);
    }

    @Test
    void reserveVersion_concurrentPublishersNeverShareANumber() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> numbers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                numbers.add(pool.submit(() -> store().reserveVersion(model() + "-c", "mlp:4-2", "scale:255")));
            }
            List<Long> got = new ArrayList<>();
            for (Future<Long> f : numbers) {
                got.add(f.get());
            }
            assertThat(got).doesNotHaveDuplicates().hasSize(20).allSatisfy(n -> assertThat(n).isBetween(1L, 20L));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void updates_keyedPerDevice_onePerDeviceAndRound() {
        store().upsertDevice(model() + "-d1", "jvm", 1);
        store().openRound(new RoundRecord(model(), 1, 1, List.of(model() + "-d1", model() + "-d2"), RoundRecord.OPEN, 5));
        StoredUpdate u = new StoredUpdate(model(), 1, model() + "-d1", "k1", 10, 1, "fp32", new byte[] {9}, 6);

        assertThat(store().saveUpdate(u)).isEqualTo(StoredUpdate.Outcome.SAVED);
        assertThat(store().saveUpdate(u)).isEqualTo(StoredUpdate.Outcome.DUPLICATE);
        assertThat(store().saveUpdate(new StoredUpdate(model(), 1, model() + "-d1", "k2", 10, 1, "fp32", new byte[] {8}, 7)))
                .as("a second update of the device in the round").isEqualTo(StoredUpdate.Outcome.CONFLICT);
        assertThat(store().saveUpdate(new StoredUpdate(model(), 1, model() + "-d2", "k1", 10, 1, "fp32", new byte[] {7}, 8)))
                .as("another device's key is its own").isEqualTo(StoredUpdate.Outcome.SAVED);
        assertThat(store().updates(model(), 1)).hasSize(2).first().satisfies(x -> assertThat(x.payload()).containsExactly(9));
        assertThat(store().openRound(model()).orElseThrow().selected()).containsExactly(model() + "-d1", model() + "-d2");
        store().finishRound(model(), 1, RoundRecord.CLOSED, 1, 0.7);
        assertThat(store().openRound(model())).isEmpty();
        assertThat(store().lastRound(model())).isEqualTo(1);
        assertThat(store().deviceExists(model() + "-d1")).isTrue();
        assertThat(store().deviceExists(model() + "-nobody")).isFalse();
    }

    @Test
    void updates_concurrentUploadsWithOneKey_giveExactlyOneRow() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            StoredUpdate u = new StoredUpdate(model(), 5, model() + "-d9", "same", 10, 1, "fp32", new byte[] {1}, 6);
            List<Callable<StoredUpdate.Outcome>> uploads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                uploads.add(() -> store().saveUpdate(u));
            }
            List<StoredUpdate.Outcome> outcomes = new ArrayList<>();
            for (Future<StoredUpdate.Outcome> f : pool.invokeAll(uploads)) {
                outcomes.add(f.get());
            }
            assertThat(outcomes).containsOnlyOnce(StoredUpdate.Outcome.SAVED).filteredOn(o -> o != StoredUpdate.Outcome.SAVED)
                    .containsOnly(StoredUpdate.Outcome.DUPLICATE);
            assertThat(store().updates(model(), 5)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scoresRecordedAfterPublication_landOnThatVersionOnly() {
        String sha = artifact();
        for (long v = 1; v <= 2; v++) {
            store().saveVersion(version(store().reserveVersion(model(), "mlp:4-2", "scale:255"), FlockStore.CANDIDATE, sha),
                    List.of(variant(v, "fp32", sha, true)));
        }
        store().openRound(new RoundRecord(model(), 1, 1, List.of(model() + "-d1"), RoundRecord.OPEN, 5));
        store().finishRound(model(), 1, RoundRecord.CLOSED, 1, Double.NaN);

        store().recordScores(model(), 2, 1, 0.81, 0.42);

        assertThat(store().version(model(), 2).orElseThrow().accuracy()).isEqualTo(0.81);
        assertThat(store().version(model(), 2).orElseThrow().loss()).isEqualTo(0.42);
        assertThat(store().version(model(), 1).orElseThrow().accuracy()).isNaN();
        store().recordScores(model(), 99, 99, 0.5, 0.5); // a version or round that is not there changes nothing
        assertThat(store().version(model(), 2).orElseThrow().accuracy()).isEqualTo(0.81);
    }

    @Test
    void telemetry_keptNewestFirst_andPrunedByAge() {
        String d = model() + "-t1";
        for (long t = 1; t <= 3; t++) {
            store().saveTelemetry(new TelemetryRow(d, model(), t * 1000, t, 10 * t, t, 0, 0.5, 0.9, 0, 1));
        }
        assertThat(store().telemetry(d, 10)).extracting(TelemetryRow::receivedMs).containsExactly(3000L, 2000L, 1000L);
        assertThat(store().pruneTelemetry(2500)).isGreaterThanOrEqualTo(2);
        assertThat(store().telemetry(d, 10)).extracting(TelemetryRow::local).containsExactly(30L);
        store().upsertDevice(d, "jvm", 1);
        store().saveTaskRejection(d, model(), 3, "r3-" + d, "proximal_mu=0.1 is not supported", 5);
        assertThat(store().lastRejection(d)).isEqualTo("proximal_mu=0.1 is not supported");
    }

    @Test
    void inputSets_replacedAtomically_resultsOnlyForTheSetTheyWereComputedFrom() {
        String name = model() + "-set";
        InputSetRow first = new InputSetRow(name, model(), "csv", 2, 4, "a".repeat(64), 3, 10, new byte[] {1, 2, 3});
        store().replaceInputSet(first);
        assertThat(store().saveBatchResult(new BatchResultRow(name, "a".repeat(64), model(), 1, 1, 20, 2, 3, new byte[] {9}))).isTrue();
        assertThat(store().batchResult(name)).hasValueSatisfying(r -> assertThat(r.payload()).containsExactly(9));

        assertThat(store().restampBatchResults(model(), 1, 2)).isEqualTo(1);
        assertThat(store().restampBatchResults(model(), 1, 2)).as("already stamped").isZero();
        assertThat(store().batchResult(name).orElseThrow().deviceVersion()).isEqualTo(2);
        assertThat(store().batchResults()).extracting(BatchResultRow::set).contains(name);
        assertThat(store().batchResults().stream().filter(r -> r.set().equals(name)).findFirst().orElseThrow().payload())
                .as("listings carry no payload").isNull();

        store().replaceInputSet(new InputSetRow(name, model(), "idx", 5, 4, "b".repeat(64), 4, 30, new byte[] {4, 5, 6, 7}));

        assertThat(store().batchResult(name)).as("the old predictions went with the old set").isEmpty();
        assertThat(store().saveBatchResult(new BatchResultRow(name, "a".repeat(64), model(), 1, 1, 40, 2, 3, new byte[] {9})))
                .as("computed from the replaced file: not stored").isFalse();
        assertThat(store().batchResult(name)).isEmpty();
        InputSetRow now = store().inputSet(name).orElseThrow();
        assertThat(now.format()).isEqualTo("idx");
        assertThat(now.file()).containsExactly(4, 5, 6, 7);
        assertThat(store().inputSets()).filteredOn(r -> r.name().equals(name)).singleElement()
                .satisfies(r -> assertThat(r.file()).isNull());
        assertThat(store().inputSet(model() + "-none")).isEmpty();
    }

    @Test
    void rollouts_storedAndResumedWithTheirStage_eventsAndDriftRowsNewestByModel() {
        RolloutRow r = new RolloutRow(0, model(), 7, 6, "1,10,50,100", 0, "RUNNING", 5000, 60_000, "ab12", "hardware=rpi4", "started: test",
                5000);
        long id = store().saveRollout(r);
        assertThat(id).isPositive();
        store().updateRollout(new RolloutRow(id, model(), 7, 6, "1,10,50,100", 2, "PAUSED", 9000, 60_000, "ab12", "hardware=rpi4",
                "paused: looking", 5000));
        assertThat(store().latestRollout(model())).hasValueSatisfying(x -> {
            assertThat(x.id()).isEqualTo(id);
            assertThat(x.stage()).isEqualTo(2);
            assertThat(x.status()).isEqualTo("PAUSED");
            assertThat(x.stageStartedMs()).isEqualTo(9000);
            assertThat(x.labels()).isEqualTo("hardware=rpi4");
            assertThat(x.lastDecision()).isEqualTo("paused: looking");
        });
        long second = store().saveRollout(new RolloutRow(0, model(), 8, 6, "100", 0, "RUNNING", 10_000, 0, "cd34", "", "started", 10_000));
        assertThat(store().latestRollout(model())).hasValueSatisfying(x -> assertThat(x.id()).isEqualTo(second));
        assertThat(store().latestRollout(model() + "-none")).isEmpty();

        for (int i = 0; i < 5; i++) {
            store().saveFleetEvent(new FleetEventRow(model(), i % 2 == 0 ? "gate" : "drift", 100 + i, "event " + i));
        }
        assertThat(store().fleetEvents(model(), 3)).extracting(FleetEventRow::detail).containsExactly("event 4", "event 3", "event 2");

        store().saveDrift(List.of(new DriftRow(model(), 1000, "fleet", "mean", 0.05, 0.5, 300, false),
                new DriftRow(model(), 2000, "fleet", "mean", 1.5, 1e-30, 300, true),
                new DriftRow(model(), 2000, "fleet", "error-rate", Double.NaN, 0.31, 150, false)));
        List<DriftRow> drift = store().drift(model(), 10);
        assertThat(drift).extracting(DriftRow::windowEndMs).containsExactly(1000L, 2000L, 2000L);
        assertThat(drift.get(1).alarm()).isTrue();
        assertThat(drift.get(2).value()).isNaN();
        assertThat(store().pruneDrift(1500)).isEqualTo(1);
        assertThat(store().drift(model(), 10)).hasSize(2);
    }

    @Test
    void rounds_listedOldestFirst_withTheVersionsTheyProduced() {
        String sha = artifact();
        store().openRound(new RoundRecord(model(), 1, 0, List.of("a", "b", "c"), RoundRecord.OPEN, 100));
        store().saveVersion(version(store().reserveVersion(model(), "mlp:4-2", "scale:255"), "CANDIDATE", sha), List.of());
        store().finishRound(model(), 1, RoundRecord.CLOSED, 3, Double.NaN);
        store().openRound(new RoundRecord(model(), 2, 1, List.of("a"), RoundRecord.OPEN, 200));
        List<RoundSummary> rounds = store().rounds(model(), 10);
        assertThat(rounds).extracting(RoundSummary::round).containsExactly(1L, 2L);
        assertThat(rounds.get(0).selected()).isEqualTo(3);
        assertThat(rounds.get(0).accepted()).isEqualTo(3);
        assertThat(rounds.get(0).version()).as("the version round 1 produced").isPositive();
        assertThat(rounds.get(1).status()).isEqualTo(RoundRecord.OPEN);
        assertThat(rounds.get(1).version()).isZero();
    }
}
