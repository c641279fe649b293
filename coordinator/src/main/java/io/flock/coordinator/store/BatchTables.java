package io.flock.coordinator.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of batch predictions' two tables: {@code input_sets} (registered files) and {@code batch_results} (their
 * precomputed predictions, one row per set). Not thread-safe: {@link JdbcFlockStore} serialises and makes writes durable.
 */
final class BatchTables {
    private static final String SET_COLUMNS = "name, model, format, rows_count, features, sha256, size_bytes, registered_ms";
    private static final String RESULT_COLUMNS = "set_name, set_sha256, model, version, device_version, computed_ms, rows_count,"
            + " classes";
    private final Sql sql;

    BatchTables(Sql sql) {
        this.sql = sql;
    }

    void replaceInputSet(InputSetRow r) {
        sql.transaction(() -> {
            sql.updateOrThrow("DELETE FROM batch_results WHERE set_name = ?", r.name());
            sql.updateOrThrow("DELETE FROM input_sets WHERE name = ?", r.name());
            sql.updateOrThrow("INSERT INTO input_sets(" + SET_COLUMNS + ", file) VALUES (?,?,?,?,?,?,?,?,?)", r.name(), r.model(),
                    r.format(), r.rows(), r.features(), r.sha256(), r.sizeBytes(), r.registeredMs(), r.file());
            return null;
        });
    }

    List<InputSetRow> inputSets() {
        return sql.query("SELECT " + SET_COLUMNS + " FROM input_sets ORDER BY name", rs -> inputSetRow(rs, null));
    }

    List<InputSetRow> inputSet(String name) {
        return sql.query("SELECT " + SET_COLUMNS + ", file FROM input_sets WHERE name = ?", rs -> inputSetRow(rs, rs.getBytes(9)), name);
    }

    boolean saveBatchResult(BatchResultRow r) {
        return sql.transaction(() -> {
            if (sql.query("SELECT 1 FROM input_sets WHERE name = ? AND sha256 = ?", rs -> 1, r.set(), r.setSha256()).isEmpty()) {
                return false;
            }
            sql.updateOrThrow("DELETE FROM batch_results WHERE set_name = ?", r.set());
            sql.updateOrThrow("INSERT INTO batch_results(" + RESULT_COLUMNS + ", payload) VALUES (?,?,?,?,?,?,?,?,?)", r.set(),
                    r.setSha256(), r.model(), r.version(), r.deviceVersion(), r.computedMs(), r.rows(), r.classes(), r.payload());
            return true;
        });
    }

    List<BatchResultRow> batchResults() {
        return sql.query("SELECT " + RESULT_COLUMNS + " FROM batch_results ORDER BY set_name", rs -> resultRow(rs, null));
    }

    List<BatchResultRow> batchResult(String set) {
        return sql.query("SELECT " + RESULT_COLUMNS + ", payload FROM batch_results WHERE set_name = ?", rs -> resultRow(rs, rs.getBytes(9)),
                set);
    }

    int restamp(String model, long version, long deviceVersion) {
        return sql.update("UPDATE batch_results SET device_version = ? WHERE model = ? AND version = ? AND device_version <> ?",
                deviceVersion, model, version, deviceVersion);
    }

    private static InputSetRow inputSetRow(ResultSet rs, byte[] file) throws SQLException {
        return new InputSetRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getString(6),
                rs.getLong(7), rs.getLong(8), file);
    }

    private static BatchResultRow resultRow(ResultSet rs, byte[] payload) throws SQLException {
        return new BatchResultRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                rs.getInt(7), rs.getInt(8), payload);
    }
}
