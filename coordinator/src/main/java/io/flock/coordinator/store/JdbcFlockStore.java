package io.flock.coordinator.store;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.AcceptedUpdate;
import io.flock.coordinator.round.RoundRecord;
import io.flock.core.FlockException;
import io.flock.core.artifact.ArtifactManifest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@link FlockStore} over JDBC with portable SQL, for embedded H2 (default) and PostgreSQL
 * (production). One connection in auto-commit mode; methods are serialised.
 */
public final class JdbcFlockStore implements FlockStore {
    private final Connection connection;

    /** Opens the database at the URL and creates the schema if needed. */
    public JdbcFlockStore(String jdbcUrl) {
        try {
            this.connection = DriverManager.getConnection(jdbcUrl);
            Schema.create(connection, jdbcUrl.startsWith("jdbc:postgresql") ? "BYTEA" : "VARBINARY");
        } catch (SQLException e) {
            throw new FlockException("cannot open database " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void saveArtifact(String sha256, String codec, byte[] bytes) {
        if (!query("SELECT 1 FROM artifacts WHERE sha256 = ?", rs -> 1, sha256).isEmpty()) {
            return;
        }
        update("INSERT INTO artifacts(sha256, codec, size_bytes, bytes) VALUES (?,?,?,?)", sha256, codec, (long) bytes.length, bytes);
    }

    @Override
    public synchronized Optional<byte[]> artifact(String sha256) {
        return query("SELECT bytes FROM artifacts WHERE sha256 = ?", rs -> rs.getBytes(1), sha256).stream().findFirst();
    }

    @Override
    public synchronized void saveVersion(ModelVersion v) {
        ArtifactManifest m = v.manifest();
        update("INSERT INTO versions(model, version, spec, codec, pipeline, sha256, size_bytes, signature, params_sha256,"
                        + " created_ms, accuracy, loss) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                m.model(), m.version(), m.spec(), m.codec(), m.pipeline(), m.sha256(), m.sizeBytes(), v.signature(),
                v.paramsSha256(), v.createdMs(), v.accuracy(), v.loss());
    }

    @Override
    public synchronized Optional<ModelVersion> latestVersion(String model) {
        return query("SELECT model, version, spec, codec, pipeline, sha256, size_bytes, signature, params_sha256,"
                + " created_ms, accuracy, loss FROM versions WHERE model = ? ORDER BY version DESC LIMIT 1", rs -> new ModelVersion(
                new ArtifactManifest(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getLong(7)), rs.getBytes(8), rs.getString(9), rs.getLong(10), rs.getDouble(11),
                rs.getDouble(12)), model).stream().findFirst();
    }

    @Override
    public synchronized void upsertDevice(String deviceId, String hardware, long seenMs) {
        if (deviceExists(deviceId)) {
            update("UPDATE devices SET hardware = ?, last_seen_ms = ? WHERE device_id = ?", hardware, seenMs, deviceId);
        } else {
            update("INSERT INTO devices(device_id, hardware, last_seen_ms, running_version) VALUES (?,?,?,0)", deviceId, hardware, seenMs);
        }
    }

    @Override
    public synchronized boolean deviceExists(String deviceId) {
        return !query("SELECT 1 FROM devices WHERE device_id = ?", rs -> 1, deviceId).isEmpty();
    }

    @Override
    public synchronized void recordRunningVersion(String deviceId, long version, String lastRejection) {
        update("UPDATE devices SET running_version = ?, last_rejection = ? WHERE device_id = ?", version, lastRejection, deviceId);
    }

    @Override
    public synchronized String lastRejection(String deviceId) {
        return query("SELECT last_rejection FROM devices WHERE device_id = ?", rs -> rs.getString(1), deviceId)
                .stream().filter(java.util.Objects::nonNull).findFirst().orElse("");
    }

    @Override
    public synchronized long runningVersion(String deviceId) {
        return query("SELECT running_version FROM devices WHERE device_id = ?", rs -> rs.getLong(1), deviceId)
                .stream().findFirst().orElse(0L);
    }

    @Override
    public synchronized void openRound(RoundRecord r) {
        update("INSERT INTO rounds(model, round, base_version, selected, status, opened_ms) VALUES (?,?,?,?,?,?)",
                r.model(), r.round(), r.baseVersion(), String.join(",", r.selected()), r.status(), r.openedMs());
    }

    @Override
    public synchronized Optional<RoundRecord> openRound(String model) {
        return query("SELECT model, round, base_version, selected, status, opened_ms FROM rounds WHERE model = ? AND status = ?",
                rs -> new RoundRecord(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getString(4).isEmpty() ? List.of() : Arrays.asList(rs.getString(4).split(",")),
                        rs.getString(5), rs.getLong(6)), model, RoundRecord.OPEN).stream().findFirst();
    }

    @Override
    public synchronized void finishRound(String model, long round, String status, int accepted, double accuracy) {
        update("UPDATE rounds SET status = ?, accepted = ?, accuracy = ? WHERE model = ? AND round = ?",
                status, accepted, accuracy, model, round);
    }

    @Override
    public synchronized void recordScores(String model, long version, long round, double accuracy, double loss) {
        update("UPDATE versions SET accuracy = ?, loss = ? WHERE model = ? AND version = ?", accuracy, loss, model, version);
        update("UPDATE rounds SET accuracy = ? WHERE model = ? AND round = ?", accuracy, model, round);
    }

    @Override
    public synchronized long lastRound(String model) {
        return query("SELECT MAX(round) FROM rounds WHERE model = ?", rs -> rs.getLong(1), model).stream().findFirst().orElse(0L);
    }

    @Override
    public synchronized boolean saveUpdate(AcceptedUpdate u) {
        if (!query("SELECT 1 FROM updates WHERE idempotency_key = ?", rs -> 1, u.idempotencyKey()).isEmpty()) {
            return false;
        }
        update("INSERT INTO updates(idempotency_key, model, round, device_id, num_examples, codec, payload, received_ms)"
                        + " VALUES (?,?,?,?,?,?,?,?)", u.idempotencyKey(), u.model(), u.round(), u.deviceId(), u.numExamples(),
                u.codec(), u.payload(), u.receivedMs());
        return true;
    }

    @Override
    public synchronized List<AcceptedUpdate> updates(String model, long round) {
        return query("SELECT model, round, device_id, idempotency_key, num_examples, codec, payload, received_ms FROM updates"
                        + " WHERE model = ? AND round = ? ORDER BY seq", rs -> new AcceptedUpdate(rs.getString(1), rs.getLong(2),
                        rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6), rs.getBytes(7), rs.getLong(8)),
                model, round);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new FlockException("closing the database failed: " + e.getMessage(), e);
        }
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new FlockException("database query failed: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... args) {
        try (PreparedStatement ps = prepare(sql, args)) {
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new FlockException("database update failed: " + e.getMessage(), e);
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    /** DDL shared by H2 and PostgreSQL; only the binary type differs. */
    private static final class Schema {
        static void create(Connection c, String binary) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS artifacts (sha256 VARCHAR(64) PRIMARY KEY, codec VARCHAR(64) NOT NULL,"
                        + " size_bytes BIGINT NOT NULL, bytes " + binary + " NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS versions (model VARCHAR(128) NOT NULL, version BIGINT NOT NULL,"
                        + " spec VARCHAR(256) NOT NULL, codec VARCHAR(64) NOT NULL, pipeline VARCHAR(128) NOT NULL,"
                        + " sha256 VARCHAR(64) NOT NULL, size_bytes BIGINT NOT NULL, signature " + binary + " NOT NULL,"
                        + " params_sha256 VARCHAR(64) NOT NULL, created_ms BIGINT NOT NULL, accuracy DOUBLE PRECISION,"
                        + " loss DOUBLE PRECISION, PRIMARY KEY (model, version))");
                s.execute("CREATE TABLE IF NOT EXISTS devices (device_id VARCHAR(128) PRIMARY KEY, hardware VARCHAR(128),"
                        + " last_seen_ms BIGINT NOT NULL, running_version BIGINT NOT NULL, last_rejection VARCHAR(1024))");
                s.execute("CREATE TABLE IF NOT EXISTS rounds (model VARCHAR(128) NOT NULL, round BIGINT NOT NULL,"
                        + " base_version BIGINT NOT NULL, selected VARCHAR(1000000) NOT NULL, status VARCHAR(16) NOT NULL,"
                        + " opened_ms BIGINT NOT NULL, accepted INT, accuracy DOUBLE PRECISION, PRIMARY KEY (model, round))");
                s.execute("CREATE TABLE IF NOT EXISTS updates (seq BIGINT GENERATED BY DEFAULT AS IDENTITY,"
                        + " idempotency_key VARCHAR(256) PRIMARY KEY, model VARCHAR(128) NOT NULL, round BIGINT NOT NULL,"
                        + " device_id VARCHAR(128) NOT NULL, num_examples BIGINT NOT NULL, codec VARCHAR(64) NOT NULL,"
                        + " payload " + binary + " NOT NULL, received_ms BIGINT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS updates_round ON updates(model, round)");
                s.execute("CREATE INDEX IF NOT EXISTS rounds_status ON rounds(model, status)");
            }
        }
    }
}
