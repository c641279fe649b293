package io.flock.coordinator.store;

import io.flock.core.DaemonThreads;
import io.flock.core.FlockException;
import io.flock.core.artifact.Digests;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * {@link FlockStore} over JDBC with portable SQL, for embedded H2 (default) and PostgreSQL
 * (production). One connection, in auto-commit mode outside the few multi-row transactions; methods
 * are serialised.
 */
public final class JdbcFlockStore implements FlockStore {
    private static final String VERSION_COLUMNS = "model, version, spec, pipeline, stage, params_sha256, created_ms, accuracy,"
            + " loss, round, optimizer_state";
    private static final String TELEMETRY_COLUMNS = "device_id, model, received_ms, running_version, local_predictions,"
            + " offloaded, fallback, mean_latency_ms, p99_latency_ms, errors, rejections";
    private static final String UPDATE_COLUMNS = RoundSeal.UPDATE_COLUMNS;
    private final Sql sql;
    private final BatchTables batch;
    private final IdentityTables identities;
    private final FleetTables fleet;
    private final LeaseTables leases;
    private final TierTables tiers;
    private final boolean h2;
    /** fsyncs an H2 file every second, so what H2 wrote in the background survives a power loss within 1 s; null otherwise. */
    private final ScheduledExecutorService syncer;
    private final Path h2File;

    /** Opens the database at the URL and creates the schema if needed. */
    public JdbcFlockStore(String jdbcUrl) {
        try {
            var connection = DriverManager.getConnection(jdbcUrl);
            h2 = jdbcUrl.startsWith("jdbc:h2:");
            if (h2) {
                Schema.createH2(connection);
            } else {
                Schema.createPostgres(connection);
            }
            this.sql = new Sql(connection, () -> DriverManager.getConnection(jdbcUrl));
            this.batch = new BatchTables(sql);
            this.identities = new IdentityTables(sql);
            this.fleet = new FleetTables(sql);
            this.leases = new LeaseTables(sql, !h2);
            this.tiers = new TierTables(sql);
            h2File = jdbcUrl.startsWith("jdbc:h2:file:") ? h2File(jdbcUrl) : null;
            if (h2File != null) {
                syncer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-h2-sync"));
                syncer.scheduleWithFixedDelay(this::syncInBackground, 1, 1, TimeUnit.SECONDS);
            } else {
                syncer = null;
            }
        } catch (SQLException e) {
            throw new FlockException("cannot open database " + redacted(jdbcUrl) + ": " + e.getMessage(), e);
        }
    }

    /** @return the JDBC URL with any password parameter's value replaced, for messages and logs */
    public static String redacted(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1(redacted)");
    }

    @Override
    public synchronized void saveArtifact(String sha256, String codec, byte[] bytes) {
        if (sql.query("SELECT 1 FROM artifacts WHERE sha256 = ?", rs -> 1, sha256).isEmpty()) {
            sql.update("INSERT INTO artifacts(sha256, codec, size_bytes, bytes) VALUES (?,?,?,?)", sha256, codec,
                    (long) bytes.length, bytes);
        }
    }

    @Override
    public synchronized Optional<byte[]> artifact(String sha256) {
        return first(sql.query("SELECT bytes FROM artifacts WHERE sha256 = ?", rs -> rs.getBytes(1), sha256));
    }

    @Override
    public synchronized long reserveVersion(String model, String spec, String pipeline) {
        return sql.transaction(() -> {
            if (sql.updateOrThrow("UPDATE models SET last_version = last_version + 1, spec = ?, pipeline = ? WHERE name = ?",
                    spec, pipeline, model) == 0) {
                sql.updateOrThrow("INSERT INTO models(name, spec, pipeline, last_version) VALUES (?,?,?,1)", model, spec, pipeline);
            }
            return sql.query("SELECT last_version FROM models WHERE name = ?", rs -> rs.getLong(1), model).get(0);
        });
    }

    @Override
    public synchronized void saveVersion(VersionRow v, List<VariantRow> variants) {
        sql.transaction(() -> {
            sql.updateOrThrow("INSERT INTO model_versions(" + VERSION_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)", v.model(),
                    v.version(), v.spec(), v.pipeline(), v.stage(), v.paramsSha256(), v.createdMs(), v.accuracy(), v.loss(),
                    v.round(), v.optimizerState());
            for (VariantRow a : variants) {
                sql.updateOrThrow("INSERT INTO version_variants(model, version, codec, sha256, size_bytes, signature, pushed, spec)"
                        + " VALUES (?,?,?,?,?,?,?,?)", a.model(), a.version(), a.codec(), a.sha256(), a.sizeBytes(), a.signature(),
                        a.pushed(), a.spec());
            }
            return null;
        });
        durable();
    }

    @Override
    public synchronized Optional<VersionRow> version(String model, long version) {
        return first(sql.query("SELECT " + VERSION_COLUMNS + " FROM model_versions WHERE model = ? AND version = ?",
                JdbcFlockStore::versionRow, model, version));
    }

    @Override
    public synchronized List<VariantRow> variants(String model, long version) {
        return sql.query("SELECT model, version, codec, sha256, size_bytes, signature, pushed, spec FROM version_variants"
                        + " WHERE model = ? AND version = ? ORDER BY pushed DESC, codec", rs -> new VariantRow(rs.getString(1),
                        rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getBytes(6), rs.getBoolean(7), rs.getString(8)),
                model, version);
    }

    @Override
    public synchronized List<VersionRow> versions(String model, int limit) {
        return sql.query("SELECT " + VERSION_COLUMNS + " FROM model_versions WHERE model = ? ORDER BY version DESC LIMIT "
                + Math.max(1, limit), JdbcFlockStore::versionRow, model);
    }

    @Override
    public synchronized List<String> models() {
        return sql.query("SELECT name FROM models ORDER BY name", rs -> rs.getString(1));
    }

    @Override
    public synchronized long productionVersion(String model) {
        return first(sql.query("SELECT version FROM model_versions WHERE model = ? AND stage = ?", rs -> rs.getLong(1), model,
                PRODUCTION)).orElse(0L);
    }

    @Override
    public synchronized long latestVersion(String model) {
        return first(sql.query("SELECT MAX(version) FROM model_versions WHERE model = ?", rs -> rs.getLong(1), model)).orElse(0L);
    }

    @Override
    public synchronized Map<String, Long> stageCounts(String model) {
        Map<String, Long> out = new LinkedHashMap<>();
        sql.query("SELECT stage, COUNT(*) FROM model_versions WHERE model = ? GROUP BY stage ORDER BY stage",
                rs -> out.put(rs.getString(1), rs.getLong(2)), model);
        return out;
    }

    @Override
    public synchronized boolean setStage(String model, long version, String stage) {
        return sql.transaction(() -> {
            List<String> now = sql.query("SELECT stage FROM model_versions WHERE model = ? AND version = ?", rs -> rs.getString(1),
                    model, version);
            if (now.isEmpty()) {
                return false;
            }
            if (now.get(0).equals(stage)) {
                return true;
            }
            if (PRODUCTION.equals(stage)) {
                sql.updateOrThrow("UPDATE model_versions SET stage = ? WHERE model = ? AND stage = ?", ARCHIVED, model, PRODUCTION);
            }
            sql.updateOrThrow("UPDATE model_versions SET stage = ? WHERE model = ? AND version = ?", stage, model, version);
            return true;
        }) && durable();
    }

    @Override
    public synchronized void recordScores(String model, long version, long round, double accuracy, double loss) {
        sql.update("UPDATE model_versions SET accuracy = ?, loss = ? WHERE model = ? AND version = ?", accuracy, loss, model, version);
        sql.update("UPDATE rounds SET accuracy = ? WHERE model = ? AND round = ?", accuracy, model, round);
    }

    @Override
    public synchronized void upsertDevice(String deviceId, String hardware, long seenMs) {
        if (sql.update("UPDATE devices SET hardware = ?, last_seen_ms = ? WHERE device_id = ?", hardware, seenMs, deviceId) == 0) {
            sql.update("INSERT INTO devices(device_id, hardware, last_seen_ms, running_version) VALUES (?,?,?,0)", deviceId,
                    hardware, seenMs);
        }
    }

    @Override
    public synchronized boolean deviceExists(String deviceId) {
        return !sql.query("SELECT 1 FROM devices WHERE device_id = ?", rs -> 1, deviceId).isEmpty();
    }

    @Override
    public synchronized void recordRunningVersion(String deviceId, long version, String lastRejection) {
        sql.update("UPDATE devices SET running_version = ?, last_rejection = ? WHERE device_id = ?", version, lastRejection, deviceId);
    }

    @Override
    public synchronized String lastRejection(String deviceId) {
        return sql.query("SELECT last_rejection FROM devices WHERE device_id = ?", rs -> rs.getString(1), deviceId)
                .stream().filter(Objects::nonNull).findFirst().orElse("");
    }

    @Override
    public synchronized List<DeviceRow> devices() {
        return sql.query("SELECT device_id, hardware, running_version, last_seen_ms FROM devices WHERE NOT revoked ORDER BY device_id",
                rs -> new DeviceRow(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2), rs.getLong(3), rs.getLong(4)));
    }

    @Override
    public synchronized long runningVersion(String deviceId) {
        return first(sql.query("SELECT running_version FROM devices WHERE device_id = ?", rs -> rs.getLong(1), deviceId)).orElse(0L);
    }

    @Override
    public synchronized void openRound(RoundRecord r) {
        sql.update("INSERT INTO rounds(model, round, base_version, selected, status, opened_ms) VALUES (?,?,?,?,?,?)",
                r.model(), r.round(), r.baseVersion(), String.join(",", r.selected()), r.status(), r.openedMs());
        durable();
    }

    @Override
    public synchronized Optional<RoundRecord> openRound(String model) {
        return first(sql.query("SELECT model, round, base_version, selected, status, opened_ms FROM rounds"
                        + " WHERE model = ? AND status = ?", rs -> new RoundRecord(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getString(4).isEmpty() ? List.of() : Arrays.asList(rs.getString(4).split(",")), rs.getString(5),
                        rs.getLong(6)), model, RoundRecord.OPEN));
    }

    @Override
    public synchronized void finishRound(String model, long round, String status, int accepted, double accuracy) {
        sql.update("UPDATE rounds SET status = ?, accepted = ?, accuracy = ? WHERE model = ? AND round = ?",
                status, accepted, accuracy, model, round);
        durable();
    }

    @Override
    public synchronized long lastRound(String model) {
        return first(sql.query("SELECT MAX(round) FROM rounds WHERE model = ?", rs -> rs.getLong(1), model)).orElse(0L);
    }

    @Override
    public synchronized StoredUpdate.Outcome saveUpdate(StoredUpdate u) {
        try {
            Object[] values = {u.deviceId(), u.idempotencyKey(), u.model(), u.round(), u.baseVersion(), u.numExamples(), u.codec(),
                    u.payload(), u.receivedMs(), u.payloadSha256() != null ? u.payloadSha256() : Digests.sha256Hex(u.payload())};
            if (h2) {
                sql.updateOrThrow("INSERT INTO client_updates(" + UPDATE_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)", values);
            } else if (sql.updateOrThrow(RoundSeal.INSERT_WHILE_OPEN, RoundSeal.whileOpen(values, u.model(), u.round())) == 0) {
                return StoredUpdate.Outcome.ROUND_CLOSED;
            }
            durable();
            return StoredUpdate.Outcome.SAVED;
        } catch (SQLException e) {
            if (!Sql.isConstraintViolation(e)) {
                throw new FlockException("database update failed: " + e.getMessage(), e);
            }
            boolean sameKey = !sql.query("SELECT 1 FROM client_updates WHERE device_id = ? AND idempotency_key = ?", rs -> 1,
                    u.deviceId(), u.idempotencyKey()).isEmpty();
            return sameKey ? StoredUpdate.Outcome.DUPLICATE : StoredUpdate.Outcome.CONFLICT;
        }
    }

    @Override
    public synchronized boolean sealRound(String model, long round, boolean sealed) {
        return sql.update("UPDATE rounds SET sealed = ? WHERE model = ? AND round = ? AND status = ?", sealed, model, round,
                RoundRecord.OPEN) == 1 && durable();
    }

    @Override
    public synchronized List<String> updatedDevices(String model, long round) {
        return sql.query("SELECT device_id FROM client_updates WHERE model = ? AND round = ? ORDER BY seq", rs -> rs.getString(1),
                model, round);
    }

    @Override
    public synchronized List<StoredUpdate> updates(String model, long round) {
        return sql.query(UPDATE_ROWS + " WHERE model = ? AND round = ? ORDER BY seq", JdbcFlockStore::storedUpdate, model, round);
    }

    @Override
    public synchronized StoredUpdate.Outcome saveAggregate(StoredUpdate update, List<StoredContribution> contributions) {
        StoredUpdate.Outcome o = tiers.saveAggregate(update, update.payloadSha256() != null ? update.payloadSha256()
                : Digests.sha256Hex(update.payload()), contributions);
        if (o == StoredUpdate.Outcome.SAVED) {
            durable();
        }
        return o;
    }

    @Override
    public synchronized List<StoredContribution> contributions(String model, long round) {
        return tiers.contributions(model, round);
    }

    @Override
    public synchronized void assignGateway(String deviceId, String gatewayId) {
        tiers.assignGateway(deviceId, gatewayId);
        durable();
    }

    @Override
    public synchronized List<String> devicesBehind(String gatewayId) {
        return tiers.devicesBehind(gatewayId);
    }

    @Override
    public synchronized void dropPayloads(String model, long round) {
        sql.update("UPDATE client_updates SET payload = ? WHERE model = ? AND round = ?", new byte[0], model, round);
    }

    @Override
    public synchronized List<StoredUpdate> pendingUpdates(String model) {
        return sql.query(UPDATE_ROWS + " WHERE model = ? AND OCTET_LENGTH(payload) > 0 ORDER BY seq", JdbcFlockStore::storedUpdate, model);
    }

    private static final String UPDATE_ROWS = "SELECT model, round, device_id, idempotency_key, num_examples, base_version, codec,"
            + " payload, received_ms FROM client_updates";

    private static StoredUpdate storedUpdate(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new StoredUpdate(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                rs.getString(7), rs.getBytes(8), rs.getLong(9));
    }

    @Override
    public synchronized void dropAllPayloads(String model) {
        sql.update("UPDATE client_updates SET payload = ? WHERE model = ? AND OCTET_LENGTH(payload) > 0", new byte[0], model);
    }

    @Override
    public synchronized int pruneArtifacts(String model, int keepNewest) {
        return sql.transaction(() -> {
            int pruned = sql.updateOrThrow("UPDATE model_versions SET pruned = TRUE, optimizer_state = ? WHERE model = ? AND NOT pruned"
                    + " AND stage NOT IN (?, ?) AND version <= (SELECT MAX(version) FROM model_versions WHERE model = ?) - ?", new byte[0],
                    model, PRODUCTION, CANARY, model, keepNewest);
            if (pruned > 0) {
                // every artifact no unpruned version refers to, as parameters or as a variant: per artifact an index lookup
                // (NOT IN over the subqueries made H2 scan every version and variant for each artifact, each round: 80 %
                // of a round's time once a model had 1,000 versions)
                sql.updateOrThrow("DELETE FROM artifacts a WHERE NOT EXISTS (SELECT 1 FROM model_versions m"
                        + " WHERE m.params_sha256 = a.sha256 AND NOT m.pruned) AND NOT EXISTS (SELECT 1 FROM version_variants v"
                        + " JOIN model_versions m ON v.model = m.model AND v.version = m.version WHERE v.sha256 = a.sha256"
                        + " AND NOT m.pruned)");
            }
            return pruned;
        });
    }

    @Override
    public synchronized long sizeBytes() {
        if (!h2) {
            return first(sql.query("SELECT pg_database_size(current_database())", rs -> rs.getLong(1))).orElse(0L);
        }
        if (h2File == null) {
            return 0;
        }
        try {
            return Files.size(h2File);
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the .mv.db file of an H2 file URL */
    private static Path h2File(String url) {
        return Path.of(url.substring("jdbc:h2:file:".length()).split(";", 2)[0] + ".mv.db");
    }

    @Override
    public synchronized void saveTelemetry(TelemetryRow t) {
        sql.update("INSERT INTO telemetry(" + TELEMETRY_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)", t.deviceId(), t.model(),
                t.receivedMs(), t.runningVersion(), t.local(), t.offloaded(), t.fallback(), t.meanLatencyMs(), t.p99LatencyMs(),
                t.errors(), t.rejections());
    }

    @Override
    public synchronized int pruneTelemetry(long receivedBeforeMs) {
        return sql.update("DELETE FROM telemetry WHERE received_ms < ?", receivedBeforeMs);
    }

    @Override
    public synchronized List<TelemetryRow> telemetry(String deviceId, int limit) {
        return sql.query("SELECT " + TELEMETRY_COLUMNS + " FROM telemetry WHERE device_id = ? ORDER BY seq DESC LIMIT "
                + Math.max(1, limit), rs -> new TelemetryRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getDouble(8), rs.getDouble(9), rs.getLong(10), rs.getLong(11)), deviceId);
    }

    @Override
    public synchronized void saveTaskRejection(String deviceId, String model, long round, String taskId, String reason,
                                               long receivedMs) {
        sql.transaction(() -> {
            sql.updateOrThrow("INSERT INTO task_rejections(device_id, model, round, task_id, reason, received_ms) VALUES (?,?,?,?,?,?)",
                    deviceId, model, round, taskId, reason, receivedMs);
            sql.updateOrThrow("UPDATE devices SET last_rejection = ? WHERE device_id = ?", reason, deviceId);
            return null;
        });
    }

    @Override
    public synchronized void saveEnrollmentToken(String sha256, int uses, long expiresMs, long createdMs) {
        identities.saveToken(sha256, uses, expiresMs, createdMs);
        durable();
    }

    @Override
    public synchronized boolean enrollmentTokenUsable(String sha256, long nowMs) {
        return identities.tokenUsable(sha256, nowMs);
    }

    @Override
    public synchronized EnrollOutcome enroll(EnrollmentRow r) {
        EnrollOutcome o = identities.enroll(r);
        durable();
        return o;
    }

    @Override
    public synchronized void addCertificate(String deviceId, String fingerprint, long notAfterMs, long issuedMs) {
        identities.addCertificate(deviceId, fingerprint, notAfterMs, issuedMs);
        durable();
    }

    @Override
    public synchronized boolean certificateAdmitted(String deviceId, String fingerprint, long nowMs) {
        return identities.admitted(deviceId, fingerprint, nowMs);
    }

    @Override
    public synchronized Optional<DeviceIdentityRow> deviceIdentity(String deviceId) {
        return identities.identity(deviceId);
    }

    @Override
    public synchronized int revokeDevice(String deviceId) {
        int n = identities.revoke(deviceId);
        durable();
        return n;
    }

    @Override
    public synchronized void replaceInputSet(InputSetRow r) {
        batch.replaceInputSet(r);
        durable();
    }

    @Override
    public synchronized List<InputSetRow> inputSets() {
        return batch.inputSets();
    }

    @Override
    public synchronized Optional<InputSetRow> inputSet(String name) {
        return first(batch.inputSet(name));
    }

    @Override
    public synchronized boolean saveBatchResult(BatchResultRow r) {
        return batch.saveBatchResult(r) && durable();
    }

    @Override
    public synchronized List<BatchResultRow> batchResults() {
        return batch.batchResults();
    }

    @Override
    public synchronized Optional<BatchResultRow> batchResult(String set) {
        return first(batch.batchResult(set));
    }

    @Override
    public synchronized int restampBatchResults(String model, long version, long deviceVersion) {
        int n = batch.restamp(model, version, deviceVersion);
        durable();
        return n;
    }

    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        synchronized (this) {
            sql.close();
        }
    }

    /**
     * The periodic fsync of the H2 file, through a descriptor of its own and outside the store's lock (Linux syncs
     * the file, whichever descriptor wrote it), so no request waits for the disk: whatever H2 wrote is on the
     * device within a second.
     */
    private void syncInBackground() {
        try (FileChannel file = FileChannel.open(h2File, StandardOpenOption.READ)) {
            file.force(false);
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(JdbcFlockStore.class).debug("background fsync of {}: {}", h2File, e.toString());
        }
    }

    /**
     * Makes what was committed survive a killed process before the caller acknowledges it. PostgreSQL's commit
     * already is, and survives a power loss too (synchronous_commit, fsync). H2 writes commits to its file up to
     * WRITE_DELAY (500 ms) later, and a SIGKILL in that window lost acknowledged updates (CoordinatorDaemonIT);
     * CHECKPOINT writes them to the file now, and the background sync puts them on the device within a second.
     * An fsync here instead (CHECKPOINT SYNC) cost W1 0.13 s a round, 10 uploads of 0.8 MB each waiting for the
     * disk (benchmarks/results/2026-12-04-storage). Only the writes a client or a restart relies on call this
     * (updates, rounds, versions, stages), so heartbeats and telemetry keep H2's batching.
     */
    private boolean durable() {
        if (h2) {
            sql.update("CHECKPOINT");
        }
        return true;
    }

    @Override
    public synchronized long saveRollout(RolloutRow rollout) {
        long id = fleet.insertRollout(rollout);
        durable();
        return id;
    }

    @Override
    public synchronized void updateRollout(RolloutRow rollout) {
        fleet.updateRollout(rollout);
        durable();
    }

    @Override
    public synchronized Optional<RolloutRow> latestRollout(String model) {
        return first(fleet.latestRollout(model));
    }

    @Override
    public synchronized void saveFleetEvent(FleetEventRow event) {
        fleet.saveEvent(event);
    }

    @Override
    public synchronized List<FleetEventRow> fleetEvents(String model, int limit) {
        return fleet.events(model, limit);
    }

    @Override
    public synchronized void savePrivacy(PrivacyRow row) {
        fleet.savePrivacy(row);
        durable();
    }

    @Override
    public synchronized List<PrivacyRow> privacyLedger(String model) {
        return fleet.privacyLedger(model);
    }

    @Override
    public synchronized void saveDrift(List<DriftRow> rows) {
        fleet.saveDrift(rows);
    }

    @Override
    public synchronized List<DriftRow> drift(String model, int limit) {
        return fleet.drift(model, limit);
    }

    @Override
    public synchronized List<RoundSummary> rounds(String model, int limit) {
        return fleet.rounds(model, limit);
    }

    @Override
    public synchronized int pruneDrift(long windowEndBeforeMs) {
        return fleet.pruneDrift(windowEndBeforeMs);
    }

    @Override
    public synchronized Optional<LeaseRow> tryAcquireLease(String model, String holder, long nowMs, long ttlMs) {
        if (holder == null || holder.isEmpty()) {
            throw new IllegalArgumentException("lease holder must not be empty: '" + holder + "'");
        }
        Optional<LeaseRow> row = first(leases.tryAcquire(model, holder, nowMs, ttlMs));
        if (row.isPresent()) {
            durable();
        }
        return row;
    }

    @Override
    public synchronized boolean releaseLease(String model, String holder, long epoch) {
        return leases.release(model, holder, epoch) && durable();
    }

    @Override
    public synchronized Optional<LeaseRow> lease(String model) {
        return first(leases.lease(model));
    }

    private static VersionRow versionRow(ResultSet rs) throws SQLException {
        return new VersionRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getLong(7), rs.getDouble(8), rs.getDouble(9), rs.getLong(10), rs.getBytes(11));
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.stream().filter(Objects::nonNull).findFirst();
    }
}
